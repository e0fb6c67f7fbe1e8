#include <gtest/gtest.h>

#include "common/phone.h"
#include "common/utf8.h"

namespace chatshop::common {
namespace {

TEST(Utf8Test, CountsCharactersNotBytes) {
  EXPECT_EQ(CountUtf8Chars(""), 0u);
  EXPECT_EQ(CountUtf8Chars("abc"), 3u);
  EXPECT_EQ(CountUtf8Chars("\xE2\x82\xB9"
                           "430"),
            4u);                                              // ₹430
  EXPECT_EQ(CountUtf8Chars("\xE0\xA4\xB9\xE0\xA4\xBE"), 2u);  // हा: a consonant and a sign
  EXPECT_EQ(CountUtf8Chars("\xF0\x9F\x9B\x92"), 1u);          // 🛒
}

TEST(Utf8Test, TruncatesAtACharacterBoundary) {
  const std::string rupees = "\xE2\x82\xB9\xE2\x82\xB9\xE2\x82\xB9";  // ₹₹₹
  EXPECT_EQ(TruncateUtf8(rupees, 2), "\xE2\x82\xB9\xE2\x82\xB9");
  EXPECT_EQ(TruncateUtf8(rupees, 0), "");
  EXPECT_EQ(TruncateUtf8(rupees, 3), rupees);
  EXPECT_EQ(TruncateUtf8("abc", 100), "abc");
}

TEST(PhoneTest, E164DigitsAcceptsAWaIdWithOrWithoutPlusAndGrouping) {
  EXPECT_EQ(E164Digits("919812345678"), "919812345678");
  EXPECT_EQ(E164Digits("+91 98123 45678"), "919812345678");
  EXPECT_EQ(E164Digits("+1 (415) 555-0100"), "14155550100");
  EXPECT_EQ(E164Digits("12345678"), "12345678");
  EXPECT_EQ(E164Digits("123456789012345"), "123456789012345");
}

TEST(PhoneTest, E164DigitsRefusesWhatCannotBeAWhatsAppNumber) {
  EXPECT_FALSE(E164Digits(""));
  EXPECT_FALSE(E164Digits("1234567"));           // too short for a country code and number
  EXPECT_FALSE(E164Digits("1234567890123456"));  // E.164: at most 15 digits
  EXPECT_FALSE(E164Digits("09812345678"));       // a trunk prefix, not a country code
  EXPECT_FALSE(E164Digits("91981234567x"));
  EXPECT_FALSE(E164Digits("++919812345678"));
}

}  // namespace
}  // namespace chatshop::common
