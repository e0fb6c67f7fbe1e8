// The lexicon's tables (lexicon.h). To teach the bot a word, add it here: every part of the
// bot that reads words of its kind then knows it.
#include <initializer_list>

#include "bot/lexicon/lexicon.h"
#include "bot/text.h"

namespace chatshop::bot::lexicon {
namespace {

// Lists are written as people type them and compared after the same folding as the message.
std::set<std::string> Folded(std::initializer_list<const char*> words) {
  std::set<std::string> folded;
  for (const char* w : words) folded.insert(FoldText(w));
  return folded;
}

constexpr const char* kGreetings[] = {"hi",           "hii",      "hello", "helo", "hey",
                                      "namaste",      "namaskar", "start", "hola", "good morning",
                                      "good evening", "नमस्ते",     "नमस्कार"};

}  // namespace

const std::map<std::string, Unit>& Units() {
  static const std::map<std::string, Unit> units = [] {
    std::map<std::string, Unit> u;
    for (const char* w : {"kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kgm"}) {
      u[w] = {Dimension::kMass, 1000};
    }
    for (const char* w : {"g", "gm", "gms", "gram", "grams", "gr", "grm"}) {
      u[w] = {Dimension::kMass, 1};
    }
    for (const char* w : {"l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters"}) {
      u[w] = {Dimension::kVolume, 1000};
    }
    u["ml"] = {Dimension::kVolume, 1};
    for (const char* w : {"pc", "pcs", "piece", "pieces", "nos", "pis"}) {
      u[w] = {Dimension::kPieces, 1};
    }
    for (const char* w : {"dozen", "dozens", "darjan", "dazan", "doz"}) {
      u[w] = {Dimension::kPieces, 12};
    }
    for (const char* w :
         {"packet",  "packets", "pkt",  "pkts",   "pack",   "packs",   "pkg", "bottle",
          "bottles", "btl",     "tin",  "tins",   "jar",    "jars",    "bar", "bars",
          "tube",    "tubes",   "loaf", "loaves", "tray",   "trays",   "cup", "cups",
          "box",     "boxes",   "bag",  "bags",   "sachet", "sachets", "can", "cans",
          "pouch",   "pouches", "unit", "units",  "katta",  "bora"}) {
      u[w] = {Dimension::kPack, 1};
    }
    return u;
  }();
  return units;
}

const std::map<std::string, int64_t>& WholeNumberWords() {
  static const std::map<std::string, int64_t> words = {
      {"zero", 0},    {"shunya", 0},  {"one", 1},      {"two", 2},     {"three", 3}, {"four", 4},
      {"five", 5},    {"six", 6},     {"seven", 7},    {"eight", 8},   {"nine", 9},  {"ten", 10},
      {"eleven", 11}, {"twelve", 12}, {"fifteen", 15}, {"twenty", 20}, {"ek", 1},    {"do", 2},
      {"teen", 3},    {"char", 4},    {"chaar", 4},    {"paanch", 5},  {"panch", 5}, {"chhe", 6},
      {"chhah", 6},   {"che", 6},     {"saat", 7},     {"aath", 8},    {"nau", 9},   {"das", 10},
      {"gyarah", 11}, {"barah", 12},  {"pandrah", 15}, {"bees", 20}};
  return words;
}

const std::map<std::string, double>& FractionWords() {
  static const std::map<std::string, double> words = {
      {"half", 0.5}, {"aadha", 0.5}, {"adha", 0.5}, {"dedh", 1.5}, {"dhai", 2.5}, {"dhaai", 2.5}};
  return words;
}

std::optional<double> NumberWordValue(const std::string& word, const std::string* next) {
  if (word == "do" && (next == nullptr || StopWords().count(*next))) return std::nullopt;
  if (auto it = WholeNumberWords().find(word); it != WholeNumberWords().end()) {
    return static_cast<double>(it->second);
  }
  if (auto it = FractionWords().find(word); it != FractionWords().end()) return it->second;
  return std::nullopt;
}

const std::set<std::string>& Greetings() {
  static const std::set<std::string> words = [] {
    std::set<std::string> folded;
    for (const char* w : kGreetings) folded.insert(FoldText(w));
    return folded;
  }();
  return words;
}

const std::set<std::string>& StopWords() {
  static const std::set<std::string> words = [] {
    std::set<std::string> w = {
        "bhaiya",    "bhaiyya",  "bhaia",     "bhai",    "bhaisahab", "didi",     "ji",
        "sir",       "madam",    "uncle",     "aunty",   "please",    "pls",      "plz",
        "plzz",      "kindly",   "send",      "sent",    "deliver",   "delivery", "bhej",
        "bhejo",     "bhejna",   "bhejiye",   "bhejdo",  "dena",      "dedo",     "de",
        "dijiye",    "do",       "need",      "needed",  "want",      "wanted",   "i",
        "me",        "my",       "we",        "us",      "mujhe",     "hame",     "hamein",
        "humko",     "mere",     "mera",      "chahiye", "chaiye",    "also",     "add",
        "and",       "aur",      "or",        "some",    "of",        "the",      "a",
        "an",        "to",       "for",       "with",    "more",      "thanks",   "thank",
        "thx",       "ok",       "okay",      "order",   "get",       "give",     "bring",
        "le",        "lao",      "lana",      "ke",      "ka",        "ki",       "hai",
        "h",         "bhi",      "total",     "x",       "nos",       "qty",      "quantity",
        "only",      "just",     "today",     "aaj",     "jaldi",     "asap",     "sath",
        "saath",     "wala",     "wali",      "vala",    "vali",      "you",      "u",
        "ye",        "yeh",      "this",      "these",   "that",      "list",     "item",
        "items",     "below",    "following", "niche",   "sab",       "sabhi",    "bas",
        "dhanyavad", "shukriya", "bhejiyega", "lena",    "chahie"};
    // A greeting's words ("good", "morning") say nothing about the order either. (The
    // parser compares Devanagari words after spelling them in Latin, so only Latin ones.)
    for (const std::string& greeting : Greetings()) {
      for (const std::string& word : Tokenize(greeting)) {
        if (!HasDevanagari(word)) w.insert(word);
      }
    }
    return w;
  }();
  return words;
}

const std::set<std::string>& QuestionWords() {
  static const std::set<std::string> words = {
      "what", "whats", "how",   "kya",  "kitna", "kitne",     "kitni", "price",
      "rate", "when",  "where", "why",  "which", "kab",       "kahan", "kaise",
      "kaun", "is",    "are",   "does", "can",   "available", "stock"};
  return words;
}

const std::set<std::string>& Joiners() {
  static const std::set<std::string> words = {"and", "aur", "&", "और", "n"};
  return words;
}

const std::map<std::string, std::string>& DevanagariWords() {
  static const std::map<std::string, std::string> words = {{"दूध", "doodh"},
                                                           {"डबल", "double"},
                                                           {"रोटी", "roti"},
                                                           {"ब्रेड", "bread"},
                                                           {"चीनी", "cheeni"},
                                                           {"शक्कर", "shakkar"},
                                                           {"आटा", "atta"},
                                                           {"चावल", "chawal"},
                                                           {"दाल", "dal"},
                                                           {"तेल", "tel"},
                                                           {"नमक", "namak"},
                                                           {"अंडे", "ande"},
                                                           {"अंडा", "anda"},
                                                           {"आलू", "aloo"},
                                                           {"प्याज", "pyaz"},
                                                           {"प्याज़", "pyaz"},
                                                           {"टमाटर", "tamatar"},
                                                           {"मैगी", "maggi"},
                                                           {"केला", "kela"},
                                                           {"केले", "kela"},
                                                           {"घी", "ghee"},
                                                           {"दही", "dahi"},
                                                           {"पनीर", "paneer"},
                                                           {"मक्खन", "makhan"},
                                                           {"चाय", "chai"},
                                                           {"साबुन", "sabun"},
                                                           {"हल्दी", "haldi"},
                                                           {"जीरा", "jeera"},
                                                           {"मिर्च", "mirch"},
                                                           {"मिर्ची", "mirchi"},
                                                           {"लाल", "lal"},
                                                           {"सरसों", "sarson"},
                                                           {"किलो", "kg"},
                                                           {"ग्राम", "g"},
                                                           {"लीटर", "litre"},
                                                           {"पैकेट", "packet"},
                                                           {"दर्जन", "dozen"},
                                                           {"और", "aur"},
                                                           {"एक", "ek"},
                                                           {"दो", "do"},
                                                           {"तीन", "teen"},
                                                           {"चार", "char"},
                                                           {"पांच", "paanch"},
                                                           {"पाँच", "paanch"},
                                                           {"छह", "chhe"},
                                                           {"सात", "saat"},
                                                           {"आठ", "aath"},
                                                           {"नौ", "nau"},
                                                           {"दस", "das"},
                                                           {"आधा", "aadha"},
                                                           {"डेढ़", "dedh"},
                                                           {"भेज", "bhej"},
                                                           {"भेजो", "bhejo"},
                                                           {"दो।", "do"},
                                                           {"बिस्कुट", "biscuit"},
                                                           {"चिप्स", "chips"},
                                                           {"मसाला", "masala"},
                                                           {"पत्ती", "patti"},
                                                           {"अगरबत्ती", "agarbatti"},
                                                           {"माचिस", "machis"}};
  return words;
}

const std::map<std::string, std::vector<std::string>>& GrocerySynonyms() {
  static const std::map<std::string, std::vector<std::string>> words = {
      {"doodh", {"milk"}},
      {"dudh", {"milk"}},
      {"cheeni", {"sugar"}},
      {"chini", {"sugar"}},
      {"shakkar", {"sugar"}},
      {"aloo", {"potato"}},
      {"alu", {"potato"}},
      {"pyaz", {"onion"}},
      {"pyaaz", {"onion"}},
      {"kanda", {"onion"}},
      {"tamatar", {"tomato"}},
      {"anda", {"egg", "eggs"}},
      {"ande", {"egg", "eggs"}},
      {"anday", {"egg", "eggs"}},
      {"chawal", {"rice"}},
      {"tel", {"oil"}},
      {"namak", {"salt"}},
      {"dahi", {"curd", "yogurt"}},
      {"makhan", {"butter"}},
      {"makkhan", {"butter"}},
      {"sabun", {"soap"}},
      {"kela", {"banana"}},
      {"chai", {"tea"}},
      {"patti", {"tea"}},
      {"haldi", {"turmeric"}},
      {"jeera", {"cumin"}},
      {"mirch", {"chilli", "chili"}},
      {"mirchi", {"chilli", "chili"}},
      {"biskut", {"biscuit"}},
      {"machis", {"matchbox"}},
      {"agarbatti", {"incense"}},
      {"sarson", {"mustard"}},
      {"gehu", {"wheat"}},
      {"aata", {"atta", "flour"}},
      {"atta", {"flour"}},
      {"roti", {"bread"}},
      {"paani", {"water"}},
      {"pani", {"water"}},
      {"ghee", {"ghee"}},
      {"sooji", {"semolina", "rava"}},
      {"suji", {"semolina", "rava"}},
      {"besan", {"gram flour"}},
      {"maida", {"flour"}},
      {"nimbu", {"lemon"}},
      {"adrak", {"ginger"}},
      {"lehsun", {"garlic"}},
      {"dhaniya", {"coriander"}},
      {"gobi", {"cauliflower"}},
      {"bhindi", {"okra"}},
      {"palak", {"spinach"}},
      {"mooli", {"radish"}},
      {"gajar", {"carrot"}},
      {"matar", {"peas"}},
      {"chana", {"chickpea", "gram"}},
      {"rajma", {"kidney"}},
      {"biscuits", {"biscuit"}},
      {"cold", {"coke"}},
      {"noodle", {"noodles"}},
      {"chocolate", {"chocolate"}}};
  return words;
}

const std::set<std::string>& EditFillers() {
  static const std::set<std::string> words = {"to",  "as",       "into",   "=",  "please", "pls",
                                              "plz", "bhai",     "bhaiya", "ji", "the",    "all",
                                              "qty", "quantity", "of",     "my", "from",   "cart"};
  return words;
}

const std::set<std::string>& HelpWords() {
  static const std::set<std::string> words = Folded({"help", "madad", "मदद"});
  return words;
}

const std::set<std::string>& CancelWords() {
  static const std::set<std::string> words = Folded({"cancel", "radd", "रद्द"});
  return words;
}

const std::set<std::string>& CancelFillers() {
  static const std::set<std::string> words =
      Folded({"my", "the", "order", "cart", "please", "pls", "kar", "do", "karo", "kardo", "dijiye",
              "it", "all", "करो", "कर", "दो", "ऑर्डर"});
  return words;
}

const std::set<std::string>& CashOnDeliveryWords() {
  static const std::set<std::string> words =
      Folded({"cod", "cash", "cash on delivery", "nakad", "नकद"});
  return words;
}

const std::map<std::string, std::string>& LanguageWords() {
  static const std::map<std::string, std::string> words = [] {
    std::map<std::string, std::string> m;
    for (const char* w : {"hindi", "hindi me", "hindi mein", "हिंदी", "हिन्दी", "हिंदी में"}) {
      m[FoldText(w)] = "hi";
    }
    for (const char* w : {"english", "angrezi", "in english", "अंग्रेज़ी", "अंग्रेजी"}) {
      m[FoldText(w)] = "en";
    }
    return m;
  }();
  return words;
}

}  // namespace chatshop::bot::lexicon
