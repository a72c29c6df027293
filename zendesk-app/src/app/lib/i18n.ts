/** Translations from src/translations/<locale>.json, with `{{name}}` placeholders; English fills gaps. */
import { createContext, useContext } from 'react';
import en from '../../translations/en.json';
import de from '../../translations/de.json';

type Tree = { [k: string]: string | Tree };
const LOCALES: Record<string, Tree> = { en, de };

export type Translate = (key: string, params?: Record<string, string | number>) => string;

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

/** `de-CH` -> de, anything unknown -> en. */
export function resolveLocale(locale: string | undefined): string {
  const base = (locale ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  return base in LOCALES ? base : 'en';
}

export function translator(locale: string): Translate {
  const tree = LOCALES[resolveLocale(locale)] ?? en;
  return (key, params = {}) =>
    (lookup(tree, key) ?? lookup(en, key) ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) =>
      String(params[name] ?? ''),
    );
}

export const I18nContext = createContext<{ t: Translate; locale: string }>({ t: translator('en'), locale: 'en' });
export const useI18n = () => useContext(I18nContext);
export const availableLocales = () => Object.keys(LOCALES);
