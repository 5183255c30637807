// The one rule for finding people by name, as profiles/matching.py has it:
// lower-case, no accents, ß as ss ("Alícia" is "alicia", "Gieß" "giess").
// The server stores names folded this way; the pickers and the @mention
// list fold what they filter the same way, so both find the same people.
const SPELLED = {
  ß: "ss", ẞ: "ss", æ: "ae", Æ: "ae", œ: "oe", Œ: "oe", ø: "o", Ø: "o",
  ł: "l", Ł: "l", đ: "d", Đ: "d", ð: "d", Ð: "d", þ: "th", Þ: "th", ı: "i",
};
const LETTERS = new RegExp(`[${Object.keys(SPELLED).join("")}]`, "gu");

/** Return `text` lower-cased, without accents, with ß as ss. */
export function fold(text) {
  return text
    .replace(LETTERS, (c) => SPELLED[c])
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
}

/** Return the folded words of a search, each to be found somewhere. */
export function foldedWords(query) {
  return fold(query).split(/\s+/).filter(Boolean);
}
