// The ids of our buttons and list rows, in one place: every kind encoded and decoded, the
// older formats still in customers' chats decoded to the same meaning, and anything else to
// "unknown".
#include "bot/reply_ids.h"

#include <gtest/gtest.h>

#include <vector>

namespace chatshop::bot {
namespace {

using choice::Fix;

// One choice of every kind, with fields as long as the catalog allows where it matters.
std::vector<Choice> EveryKind() {
  const std::string sku(64, 'S');
  const std::string category = std::string(99, 'c') + ":";  // a category may hold ':'
  return {choice::Checkout{},
          choice::EditCart{},
          choice::CancelCart{},
          choice::CancelOrder{},
          choice::PayCod{},
          choice::MenuPage{9},
          choice::Category{"snacks", 0},
          choice::Category{category, 999999999},
          choice::Add{"MAGGI-70", 1},
          choice::Add{sku, 999},
          choice::ChangeQty{"LAYS-CLASSIC", -1},
          choice::ChangeQty{"LAYS-CLASSIC", 1},
          choice::Remove{"LAYS-CLASSIC"},
          choice::EditLine{sku},
          Fix{Fix::Action::kSwap, sku, sku},
          Fix{Fix::Action::kReduce, "PANEER-200", ""},
          Fix{Fix::Action::kRemove, "KURKURE", ""},
          OwnerButton{OwnerVerb::kApprove, 1234567, "0123456789abcdef0123456789abcdef", ""},
          OwnerButton{OwnerVerb::kReject, 7, "n0nce", ""},
          OwnerButton{OwnerVerb::kReject, 7, "n0nce", "not_received"},
          OwnerButton{OwnerVerb::kPack, 7, "n0nce", ""},
          OwnerButton{OwnerVerb::kOut, 7, "n0nce", ""},
          OwnerButton{OwnerVerb::kDeliver, 7, "n0nce", ""},
          OwnerButton{OwnerVerb::kShow, 7, "n0nce", ""}};
}

TEST(ReplyIdsTest, EveryKindRoundTripsWithTheVersionMarkerAndFitsAListRow) {
  for (const Choice& c : EveryKind()) {
    const std::string id = EncodeChoice(c);
    EXPECT_EQ(id.rfind("v2:", 0), 0u) << id;
    EXPECT_LE(id.size(), 200u) << id;
    EXPECT_EQ(DecodeChoice(id), c) << id;
  }
  EXPECT_EQ(EncodeChoice(choice::Checkout{}), "v2:cart:checkout");
  EXPECT_EQ(EncodeChoice(choice::Category{"snacks", 0}), "v2:cat:0:snacks");
  EXPECT_EQ(EncodeChoice(Fix{Fix::Action::kSwap, "KURKURE", "LAYS-CLASSIC"}),
            "v2:fix:swap:KURKURE:LAYS-CLASSIC");
  EXPECT_EQ(EncodeChoice(OwnerButton{OwnerVerb::kReject, 7, "n0nce", "unclear"}),
            "v2:own:reject:7:n0nce:unclear");
  EXPECT_EQ(EncodeChoice(choice::Unknown{}), "");
}

// Ids sent before version 2 are still in customers' and owners' chats: after an upgrade a tap
// on one means what it meant.
TEST(ReplyIdsTest, OlderIdsDecodeToTheSameMeaning) {
  const std::vector<std::pair<std::string, Choice>> old = {
      {"cart:checkout", choice::Checkout{}},
      {"cart:edit", choice::EditCart{}},
      {"cart:cancel", choice::CancelCart{}},
      {"order:cancel", choice::CancelOrder{}},
      {"pay:cod", choice::PayCod{}},
      {"cats:9", choice::MenuPage{9}},
      {"cats", choice::MenuPage{0}},
      {"cat", choice::MenuPage{0}},
      {"cat:0:snacks", choice::Category{"snacks", 0}},
      {"cat:18:category 0", choice::Category{"category 0", 18}},
      {"cat:9:a:b", choice::Category{"a:b", 9}},
      {"cat:snacks", choice::Category{"snacks", 0}},  // the first version's row
      {"add:MAGGI-70:1", choice::Add{"MAGGI-70", 1}},
      {"qty:LAYS-CLASSIC:-1", choice::ChangeQty{"LAYS-CLASSIC", -1}},
      {"rm:LAYS-CLASSIC", choice::Remove{"LAYS-CLASSIC"}},
      {"edit:LAYS-CLASSIC", choice::EditLine{"LAYS-CLASSIC"}},
      {"fix:swap:KURKURE:LAYS-CLASSIC", Fix{Fix::Action::kSwap, "KURKURE", "LAYS-CLASSIC"}},
      {"fix:reduce:PANEER-200", Fix{Fix::Action::kReduce, "PANEER-200", ""}},
      {"fix:remove:KURKURE", Fix{Fix::Action::kRemove, "KURKURE", ""}},
      {"own:approve:7:n0nce", OwnerButton{OwnerVerb::kApprove, 7, "n0nce", ""}},
      {"own:reject:7:n0nce:unclear", OwnerButton{OwnerVerb::kReject, 7, "n0nce", "unclear"}},
      {"own:show:7:n0nce", OwnerButton{OwnerVerb::kShow, 7, "n0nce", ""}}};
  for (const auto& [id, meaning] : old) {
    EXPECT_EQ(DecodeChoice(id), meaning) << id;
    // And the new id of that meaning is the old one with the version in front.
    if (id != "cats" && id != "cat" && id != "cat:snacks") {
      EXPECT_EQ(EncodeChoice(meaning), "v2:" + id);
    }
  }
}

TEST(ReplyIdsTest, AMissingOrEmptyNonceDecodesEmptyForTheOwnerEngineToRefuse) {
  for (const char* id : {"own:approve:7:", "own:approve:7", "v2:own:approve:7:"}) {
    const Choice decoded = DecodeChoice(id);
    const auto* button = std::get_if<OwnerButton>(&decoded);
    ASSERT_NE(button, nullptr) << id;
    EXPECT_EQ(button->order_id, 7);
    EXPECT_TRUE(button->nonce.empty()) << id;
  }
}

TEST(ReplyIdsTest, GarbageOverlongAndHostileIdsAreUnknown) {
  const std::vector<std::string> hostile = {
      "",
      ":",
      std::string(300, ':'),
      "v2:" + std::string(254, 'a'),
      "v3:cart:checkout",  // a later version than this code knows
      "v2:",
      "v2:cat:snacks",  // version 2 always names the offset
      "v2:cats",
      "V2:cart:checkout",
      "cart",
      "cart:checkout:now",
      "cart:pay",
      "nonsense:id",
      "cats:abc",
      "cats:-1",
      "cats:99999999999999999999",
      "cat:",
      "cat:0:",
      "cat:0:" + std::string(101, 'c'),
      "add",
      "add:MAGGI-70",
      "add::1",
      "add:MAGGI-70:x",
      "add:MAGGI-70:1.5",
      "add:MAGGI-70:99999999999",
      "add:" + std::string(65, 'S') + ":1",
      "qty:MAGGI-70",
      "qty:MAGGI-70:--1",
      "rm:MAGGI-70:1",
      "edit:",
      "fix:swap:KURKURE",
      "fix:reduce:PANEER-200:1",
      "fix:steal:KURKURE",
      "fix:remove:",
      "own",
      "own:approve",
      "own:steal:7:n",
      "own:approve:x7:n",
      "own:approve:-7:n",
      "own:approve:7:n:reason",
      "own:reject:7:n:",
      "own:reject:7:n:unclear:more",
      "OWN:approve:7:n",
      "own:approve:1234567890123456789:n",
      std::string("add:MAGGI\0-70:1", 15),
      "\xff\xfe:\x80"};
  for (const auto& id : hostile) {
    EXPECT_TRUE(std::holds_alternative<choice::Unknown>(DecodeChoice(id))) << id;
  }
}

}  // namespace
}  // namespace chatshop::bot
