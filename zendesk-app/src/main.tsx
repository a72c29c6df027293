import { createRoot } from 'react-dom/client';
import ZAFClient from 'zendesk_app_framework_sdk';
import { App } from './app/App';
import { ClientProvider } from './app/contexts/ClientProvider';

const client = ZAFClient.init();
const root = createRoot(document.getElementById('root')!);
if (client) {
  root.render(
    <ClientProvider client={client}>
      <App />
    </ClientProvider>,
  );
} else {
  root.render(
    <p>This page runs inside Zendesk (or the Standing demo host): it needs the origin and app_guid parameters.</p>,
  );
}
