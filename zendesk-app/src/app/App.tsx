/** Picks the location's component; provides the Garden theme and the user's language. */
import { useMemo } from 'react';
import { ThemeProvider, DEFAULT_THEME } from '@zendeskgarden/react-theming';
import { useClient } from './hooks/useClient';
import { I18nContext, resolveLocale, translator } from './lib/i18n';
import { NavBar } from './locations/NavBar';
import { TicketSideBar } from './locations/TicketSideBar';

export function App() {
  const { context, currentUser } = useClient();
  const i18n = useMemo(() => {
    const locale = resolveLocale(currentUser.locale);
    return { t: translator(locale), locale };
  }, [currentUser.locale]);
  return (
    <ThemeProvider theme={DEFAULT_THEME}>
      <I18nContext.Provider value={i18n}>
        <div lang={i18n.locale}>{context.location === 'nav_bar' ? <NavBar /> : <TicketSideBar />}</div>
      </I18nContext.Provider>
    </ThemeProvider>
  );
}
