// Text handling shared by the search index and the query parser: folding (lower case, Latin
// diacritics removed, so "Beyoncé" and "beyonce" are one word, as FTS5's unicode61 tokenizer
// with remove_diacritics sees them), splitting into words, and the bounded edit distance behind
// typo tolerance. Pure functions; no allocation beyond their answers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace boxoffice {

// Bounds: a query longer than this is cut (nobody types 256 bytes into a search box), and at
// most this many words of it are used.
inline constexpr std::size_t search_query_bytes_max = 256;
inline constexpr std::size_t search_query_words_max = 12;

// Lower-cases ASCII and folds the Latin-1 Supplement and Latin Extended-A letters that carry
// diacritics to their base letter ("É" → "e", "ß" → "ss"). Other multi-byte characters are kept
// as they are; invalid UTF-8 bytes become spaces.
std::string fold_text(std::string_view text);

// The words of folded text: maximal runs of ASCII letters and digits and of multi-byte UTF-8
// characters; everything else separates ("AC/DC" → "ac", "dc"; "o'neill" → "o", "neill").
std::vector<std::string> split_words(std::string_view folded);

// The Damerau–Levenshtein distance (optimal string alignment: insertions, deletions,
// substitutions and swaps of neighbours, each costing 1) between a and b if it is at most
// `max`; otherwise max + 1. Bytes are compared, which is exact for folded ASCII.
std::size_t edit_distance_within(std::string_view a, std::string_view b, std::size_t max);

// How many typos a query word of this length may carry: none below 4 letters (too many short
// words are one edit apart), one up to 7, two from 8.
std::size_t typo_budget(std::size_t word_length);

}  // namespace boxoffice
