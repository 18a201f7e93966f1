// The FTS5 expression of a query's words: typo tolerance and type-ahead.
//
// Each word becomes an OR of alternatives, and the words are ANDed:
//   ("word" OR "correction" ...) AND ("last"* OR ...)
// A word the index knows stands for itself. The last word, unless a space follows it, is also
// a prefix ("hamil" finds "Hamilton"); and a prefix that some indexed word starts with is taken
// as being typed, not mistyped: "love" is on its way to "lovers", and correcting it to "live"
// would bury those under every live show. Any other word is corrected: its alternatives are the
// indexed words within its typo budget (core/search_text.hpp: one edit from 4 letters, two from
// 8), one typo tried first and two only when one finds nothing. A word with no alternative
// makes the expression empty: nothing can match.
//
// Corrections come from the symmetric-delete index (SymSpell) that the index keeps of its
// vocabulary: every indexed word of 4 to 32 bytes filed under each of its one-byte deletions.
// A typed word's deletions (up to `typos` bytes) are looked up there, and also in the vocabulary
// itself (the typo added letters); each candidate found is confirmed with a bounded edit
// distance. That finds every word one edit away, and those two away but for two substitutions
// or two missing letters, in a few hash lookups instead of a pass over the vocabulary.
#include "services/search/match_expression.hpp"

#include <algorithm>
#include <set>

#include "core/search_text.hpp"

namespace boxoffice::search_detail {
namespace {

// Adds to `alternatives` (and `corrected`) the indexed words `typos` edits from `word`.
void add_corrections(const Index& index, const std::string& word, std::size_t typos,
                     std::vector<std::string>& alternatives, std::vector<std::string>& corrected) {
  std::set<std::string> keys{word};
  for (std::size_t round = 0; round < typos; ++round) {
    for (const std::string& key : std::vector(keys.begin(), keys.end())) {
      for (std::size_t k = 0; k < key.size(); ++k) keys.insert(std::string(key).erase(k, 1));
    }
  }
  const auto add = [&](const std::string& candidate, bool correction) {
    if (std::find(alternatives.begin(), alternatives.end(), candidate) != alternatives.end()) {
      return;
    }
    alternatives.push_back(candidate);
    if (correction) corrected.push_back(candidate);
  };
  for (const std::string& key : keys) {
    if (key != word && key.size() >= 3 && index.vocabulary.contains(key)) add(key, false);
    const auto it = index.deletions.find(key);
    if (it == index.deletions.end()) continue;
    for (const std::string& candidate : it->second) {
      if (edit_distance_within(word, candidate, typos) <= typos) add(candidate, true);
    }
  }
}

// What `word` may match: itself, its completions, its corrections. Says whether it is matched
// as a prefix (then the first alternative is the prefix).
std::vector<std::string> alternatives_of(const Index& index, const std::string& word, bool last,
                                         bool prefix_last, bool& prefix,
                                         std::vector<std::string>& corrected) {
  std::vector<std::string> alternatives;
  const bool known = index.vocabulary.contains(word);
  prefix = !known && last && prefix_last;
  if (known || prefix) alternatives.push_back(word);
  const auto completion = index.vocabulary.lower_bound(word);
  const bool completes = prefix && completion != index.vocabulary.end() &&
                         std::string_view(*completion).starts_with(word);
  const std::size_t budget = typo_budget(word.size());
  if (!known && !completes && budget > 0) {
    // One typo first; two (for long words) only when one finds nothing.
    const std::size_t before = alternatives.size();
    for (std::size_t typos = 1; typos <= budget && alternatives.size() == before; ++typos) {
      add_corrections(index, word, typos, alternatives, corrected);
    }
  }
  return alternatives;
}

}  // namespace

MatchExpression match_expression(const Index& index, const std::vector<std::string>& words,
                                 bool prefix_last) {
  MatchExpression out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    bool prefix = false;
    const std::vector<std::string> alternatives =
        alternatives_of(index, words[i], i + 1 == words.size(), prefix_last, prefix, out.corrected);
    if (alternatives.empty()) {
      out.text.clear();
      return out;
    }
    if (!out.text.empty()) out.text += " AND ";
    out.text += "(";
    for (std::size_t k = 0; k < alternatives.size(); ++k) {
      if (k > 0) out.text += " OR ";
      out.text += "\"" + alternatives[k] + "\"";
      if (prefix && k == 0) out.text += "*";
      out.phrases.push_back(alternatives[k] + (prefix && k == 0 ? "*" : ""));
    }
    out.text += ")";
  }
  return out;
}

}  // namespace boxoffice::search_detail
