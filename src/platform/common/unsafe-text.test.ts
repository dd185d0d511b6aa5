import { isUnsafeText, storableText } from './unsafe-text';

describe('isUnsafeText', () => {
  it.each([
    ['plain ASCII', 'cdr-42', false],
    ['empty', '', false],
    ['a paired surrogate (an emoji)', 'call \uD83D\uDCDE', false],
    ['accented and CJK text', 'Zürich 東京', false],
    ['a NUL', 'a\u0000b', true],
    ['a NUL alone', '\u0000', true],
    ['a lone high surrogate at the end', 'abc\uD83D', true],
    ['a lone high surrogate before a letter', '\uD83Dx', true],
    ['a lone low surrogate at the start', '\uDCDEabc', true],
    ['two high surrogates then a low one', '\uD83D\uD83D\uDCDE', true],
  ])('%s', (_name, text, unsafe) => {
    expect(isUnsafeText(text)).toBe(unsafe);
  });
});

describe('storableText', () => {
  it('replaces each unsafe code unit with U+FFFD and keeps the rest', () => {
    expect(storableText('a\u0000b\uD83Dc\uD83D\uDCDE')).toBe('a\uFFFDb\uFFFDc\uD83D\uDCDE');
    expect(storableText('fine')).toBe('fine');
  });
});
