import * as linguist from 'linguist-languages';

/**
 * Programming languages for the offline model's dictionary, taken from GitHub Linguist's list
 * (the maintained `linguist-languages` package) so new languages arrive with a dependency update
 * instead of a hand edit. Linguist lists every language GitHub can highlight, so it is filtered:
 * type "programming", plus the few data/markup languages developers name as their stack; minus
 * names that are mostly ordinary words or people in a dev log ("Factor", "Grace", "Red"), names
 * that describe a file kind rather than a technology ("Python console", "Linker Script"), and
 * short or ambiguous aliases. Ambiguous languages that developers do use (Go, Rust, Swift, R, C)
 * are in the curated list instead, where their match rule is set.
 */

/** Non-programming Linguist entries that developers name as technologies. */
const DATA_AND_MARKUP_LANGUAGES = new Set([
  'HTML',
  'CSS',
  'SCSS',
  'Sass',
  'Less',
  'GraphQL',
  'SQL',
  'SPARQL',
  'Protocol Buffer',
  'FlatBuffers',
  'TeX',
  'Svelte',
  'Vue',
  'Astro',
  'Handlebars',
  'Pug',
  'Jinja',
  'Twig',
  'EJS',
  'Haml',
  'Mermaid',
  'PlantUML',
  'Kusto',
  'Stylus',
  'PostCSS',
  'MDX',
  'Nunjucks',
]);

/**
 * Linguist programming languages left out: ordinary English or German words, people's names,
 * places, letters, and names of file kinds or sessions rather than technologies.
 */
const EXCLUDED_LANGUAGES = new Set([
  // Letters and very short words.
  'B', 'D', 'E', 'J', 'M', 'V', 'q', 'AL', 'DM', 'EQ', 'Io', 'Ox', 'Oz', 'Nu', 'eC', 'XC', 'XS',
  'P4', 'X10', 'ASL', 'ZAP', 'ZIL', 'TXL', 'SIP', 'SMT', 'RPC', 'IDL', 'GAP', 'Pan', 'Arc',
  // Ordinary words, people, places.
  'Alloy', 'Ballerina', 'Beef', 'Berry', 'Bison', 'Boo', 'Boogie', 'Cadence', 'Cairo', 'Carbon',
  'Ceylon', 'Chapel', 'Charity', 'Clarity', 'Clean', 'Click', 'Clue', 'Cool', 'Curry', 'Dune',
  'Dylan', 'Eiffel', 'Factor', 'Fancy', 'Faust', 'Fennel', 'Flix', 'Fluent', 'Forth', 'Frege',
  'Genie', 'Glyph', 'Grace', 'Hack', 'Hare', 'Idris', 'Ink', 'Isabelle', 'Jac', 'Janet',
  'Jasmin', 'Just', 'Lasso', 'Lean', 'Leo', 'Limbo', 'Lobster', 'Logos', 'Max', 'Mercury',
  'Mint', 'Monkey', 'Move', 'Nasal', 'Nit', 'Noir', 'Odin', 'Opal', 'Pact', 'Papyrus', 'Parrot',
  'Pawn', 'Pike', 'Polar', 'Pony', 'Processing', 'Quake', 'Quint', 'Racket', 'Rascal', 'Reason',
  'Red', 'Rez', 'Ring', 'Roc', 'Rouge', 'Sage', 'Sail', 'Scenic', 'Self', 'Shell', 'Sieve',
  'Slang', 'Slash', 'Slice', 'Squirrel', 'Stan', 'Sway', 'Talon', 'Tape', 'Teal', 'Terra',
  'Turing', 'Uno', 'Vala', 'Verse', 'Volt', 'Wren', 'Zephir', 'fish', 'hoon', 'wisp', 'ucode',
  'mupad', 'ooc', 'Golo', 'Gosu', 'Koka', 'Mirah', 'Motoko', 'Oberon', 'Pep8', 'Rebol', 'Whiley',
  'Wollok', 'Zimpl', 'Toit', 'Tolk', 'Smali', 'Shen', 'Myghty', 'Fantom', 'Imba',
  'Scheme', 'Smalltalk', 'Praat', 'Cirru', 'Cycript', 'Euphoria', 'Harbour', 'Jolie',
  'Modelica', 'Nemerle', 'Pyret', 'Rhai', 'Sather', 'Yul', 'Ada', 'Pascal', 'Nix', 'Mojo', 'Opa',
  'Lex', 'Hy', 'Jai', 'Pug', 'Hurl', 'Nickel', 'Tact', 'Clarion', 'Elvish', 'Earthly', 'Asymptote',
  'Singularity', 'Smithy', 'Prolog',
  // The curated list decides how these ambiguous languages match.
  'C', 'R', 'Go', 'Rust', 'Swift', 'Ruby', 'Julia', 'Crystal', 'Elm', 'Dart', 'Assembly',
  'Java', 'Groovy', 'Elixir', 'Less',
  // File kinds, sessions and descriptive names rather than technologies.
  'Python console', 'Julia REPL', 'Elvish Transcript', 'ShellSession', 'Linker Script',
  'Filebench WML', 'Answer Set Programming', 'Linear Programming',
  'Mathematical Programming System', 'Module Management System', 'Common Workflow Language',
  'Apollo Guidance Computer', 'GCC Machine Description', 'Game Maker Language', 'Unix Assembly',
  'IL Assembly', 'Motorola 68K Assembly', 'Parrot Assembly', 'Parrot Internal Representation',
  'Tree-sitter Query', 'TI Program', 'RouterOS Script', 'Witcher Script', 'Kaitai Struct',
  'ImageJ Macro', 'OpenRC runscript', 'DIGITAL Command Language', 'Csound Document',
  'Csound Score', 'Fortran Free Form', 'Cairo Zero', 'ColdFusion CFC', 'Grammatical Framework',
  'Qt Script', 'Lean 4', 'Literate Agda', 'Literate CoffeeScript', 'Literate Haskell',
  'JavaScript+ERB', 'NetLinx+ERB', 'Jison Lex', 'Gentoo Eclass', 'Isabelle ROOT',
  'Java Template Engine', 'Bluespec BH', 'B (Formal Method)', 'Vim script', 'Procfile',
  'Pro*C', 'TSX', 'Glimmer JS', 'Glimmer TS', 'BibTeX Style', 'NumPy',
]);

/** Linguist aliases that are ordinary words, tools of their own, or too short to trust. */
const EXCLUDED_ALIASES = new Set([
  'node', 'make', 'console', 'coffee', 'cucumber', 'batch', 'cake', 'cakescript', 'carto', 'flex',
  'progress', 'rake', 'bro', 'squeak', 'emacs', 'vim', 'nvim', 'viml', 'igor', 'igorpro', 'inc',
  'live-script', 'envrc', 'shell-script', 'bash session', 'terraform', 'opentofu', 'bazel',
  'rusthon', 'typescriptreact', 'java server page', 'oncrpc', 'gnu asm', 'unix asm', 'gas',
  'splus', 'apples', 'octave', 'basic for android', 'mathematica', 'wolfram', 'wolfram lang',
  'eask', 'cask', 'xdr', 'pasm', 'posh', 'bash', 'zsh', 'objectivec', 'openedge', 'delphi',
  'objectpascal', 'max/msp', 'maxmsp', 'visual basic classic', 'classic visual basic',
  'classic qbasic', 'classic quickbasic', 'ragel-rb', 'ragel-ruby', 'xml+genshi', 'xml+kid',
  'abuild', 'apkbuild', 'cperl', 'litcoffee', 'lhaskell', 'be', 'vlang', 'nargo',
  'saltstack', 'saltstate', 'containerfile', 'justfile', 'earthfile', 'snakefile', 'rocq',
  'sourcemod', 'byond', 'dtrace-script', 'ats2', 'jass2', 'odinlang', 'odin-lang', 'nixos',
  'nush', 'nu-script', 'nushell-script', 'wrenlang', 'xten', 'arexx', 'rpcgen', 'winbatch',
  'dosbatch', 'rbx', 'coffee-script', 'wast', 'vimscript', 'elisp', 'lisp', 'clipper', 'pyrex',
  'mermaid example',
]);

/** One language from Linguist as dictionary spellings (its name first, then usable aliases). */
export interface LanguageSpellings {
  name: string;
  spellings: string[];
}

/** The languages (with their usable aliases) that Linguist contributes to the dictionary. */
export function linguistLanguages(): LanguageSpellings[] {
  const languages: LanguageSpellings[] = [];
  for (const language of Object.values(linguist) as linguist.Language[]) {
    if (!isTechnology(language)) continue;
    const aliases = (language.aliases ?? []).filter(usableAlias);
    languages.push({ name: language.name, spellings: [language.name, ...aliases] });
  }
  return languages;
}

function isTechnology(language: linguist.Language): boolean {
  if (EXCLUDED_LANGUAGES.has(language.name)) return false;
  return language.type === 'programming' || DATA_AND_MARKUP_LANGUAGES.has(language.name);
}

// Aliases are often file-extension-like identifiers ("rb", "py3"); only longer ones read as names.
function usableAlias(alias: string): boolean {
  if (EXCLUDED_ALIASES.has(alias.toLowerCase())) return false;
  return alias.length >= 4 || /^(cpp|jsp|coq|sml|objc|vb6)$/u.test(alias);
}
