#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chatshop::bot::lexicon {

// The words the bot understands, in one place: the order parser, the cart edits and the
// engine's commands all read them from here (the tables are in lexicon/words.cc). Words are
// stored folded (bot/text.h FoldText: lower case, Devanagari kept); Devanagari grocery words
// are also given in the Hinglish spelling the parser matches on.

// What a unit word measures.
enum class Dimension { kMass, kVolume, kPieces, kPack };

// A unit word and how many base units (g, ml, pieces) one of it is. Count units (packet,
// bottle…) name the unit sold: kPack, factor 1.
struct Unit {
  Dimension dimension;
  double factor;
};

// "kg", "gm", "litre", "dozen", "packet", "bora"…
const std::map<std::string, Unit>& Units();

// Whole numbers in words, English and Hinglish: "zero", "one", "ek", "do", "paanch", "bees"…
const std::map<std::string, int64_t>& WholeNumberWords();
// Fractions in words: "half", "aadha" (½), "dedh" (1½), "dhai" (2½).
const std::map<std::string, double>& FractionWords();

// The value of a number word, whole or fraction, given the word after it (null: none). "do" is
// Hindi for two only before what it counts ("do packet lays"), not in "bhej do" or "kar do", so
// it is a number only when a word follows that is not a stop word.
std::optional<double> NumberWordValue(const std::string& word, const std::string* next);

// Whole-message greetings ("hi", "namaste", "good morning"); their words are stop words too.
const std::set<std::string>& Greetings();

// Words that carry no product in a shopping message: greetings, politeness, verbs of asking,
// fillers.
const std::set<std::string>& StopWords();

// Words that open a question: such a fragment asks, it does not order.
const std::set<std::string>& QuestionWords();

// Words that join items of a list ("and", "aur", "&").
const std::set<std::string>& Joiners();

// Hindi words in Devanagari as Hinglish spells them ("दूध" → "doodh"); others are transliterated.
const std::map<std::string, std::string>& DevanagariWords();

// Hinglish grocery words and the English words catalogs use for them, so that a catalog with
// only English names still understands "doodh" or "pyaz".
const std::map<std::string, std::vector<std::string>>& GrocerySynonyms();

// Words around a quantity edit that name no product: "change maggi *to* 3 *please*".
const std::set<std::string>& EditFillers();

// The engine's commands.
const std::set<std::string>& HelpWords();            // "help", "madad"
const std::set<std::string>& CancelWords();          // "cancel", "radd"
const std::set<std::string>& CancelFillers();        // "my order", "kar do" around a cancel
const std::set<std::string>& CashOnDeliveryWords();  // "cod", "cash on delivery", "nakad"
// The words that switch the language, and the locale each selects ("hindi mein" → "hi").
const std::map<std::string, std::string>& LanguageWords();

}  // namespace chatshop::bot::lexicon
