// The current language, as reactive state every component reads: `tr()` gives the dictionary.
import type { Language } from '../../src-main/core/api.js';
import { en, type Dict } from './en.js';
import { ko } from './ko.js';

export const dictionaries: Record<Language, Dict> = { en, ko };

export const locale = $state<{ lang: Language }>({ lang: 'en' });

export function tr(): Dict {
  return dictionaries[locale.lang];
}

export function setLanguage(lang: Language): void {
  locale.lang = lang;
  document.documentElement.lang = lang;
}

export function systemLanguage(): Language {
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}
