#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chatshop::bot {

// Unicode-folded text for matching: NFKC, case-folded (utf8proc), Devanagari digits as ASCII.
// Invalid UTF-8 bytes become spaces. Never throws.
std::string FoldText(std::string_view text);

// True when `token` holds a Devanagari letter.
bool HasDevanagari(std::string_view token);

// A rough Latin spelling of a Devanagari word, the way people type Hindi in WhatsApp
// ("दूध" → "doodh", "चीनी" → "cheeni"), for matching against Latin names and aliases.
std::string TransliterateDevanagari(std::string_view token);

// Splits folded text into word and number tokens: letters and digits are separated ("2kg" →
// "2", "kg"; "x5" → "x", "5"), a decimal point inside a number is kept ("1.5"), and the
// characters ",;\n&+" become the token "," (a list separator). Other punctuation separates.
std::vector<std::string> Tokenize(std::string_view folded);

// Optimal-string-alignment edit distance, capped: returns max_distance + 1 once exceeded.
int EditDistance(std::string_view a, std::string_view b, int max_distance);

}  // namespace chatshop::bot
