import type { DefaultTheme } from 'styled-components';

const FALLBACK: Record<string, string> = {
  'grey.100': '#f8f9f9',
  'grey.800': '#293239',
  'blue.100': '#edf7ff',
  'grey.400': '#b0b8be',
  'grey.700': '#5c6970',
  'red.600': '#cd3642',
  'red.700': '#b8343f',
  'green.600': '#038153',
};

/** A Garden palette colour (the theme's, or Garden's default value when a theme lacks it). */
export const pal = (theme: DefaultTheme, hue: string, shade: number): string => {
  const h = (theme.palette as Record<string, Record<number, string> | string | undefined>)[hue];
  return (typeof h === 'object' ? h[shade] : undefined) ?? FALLBACK[`${hue}.${shade}`] ?? '#000';
};
