// The owner buttons' id format, in one place: encoded and decoded, versioned by its prefix.
#include "bot/owner_buttons.h"

#include <gtest/gtest.h>

namespace chatshop::bot {
namespace {

TEST(OwnerButtonsTest, EveryVerbRoundTrips) {
  for (OwnerVerb verb : {OwnerVerb::kApprove, OwnerVerb::kReject, OwnerVerb::kPack, OwnerVerb::kOut,
                         OwnerVerb::kDeliver, OwnerVerb::kShow}) {
    const OwnerButton button{verb, 1234567, "0123456789abcdef0123456789abcdef", ""};
    const std::string id = EncodeOwnerButton(button);
    EXPECT_LE(id.size(), 200u) << "fits a list row id";
    EXPECT_EQ(DecodeOwnerButton(id), button) << id;
  }
  const OwnerButton reject{OwnerVerb::kReject, 7, "n0nce", "unclear"};
  EXPECT_EQ(EncodeOwnerButton(reject), "own:reject:7:n0nce:unclear");
  EXPECT_EQ(DecodeOwnerButton("own:reject:7:n0nce:unclear"), reject);
  EXPECT_EQ(EncodeOwnerButton({OwnerVerb::kPack, 7, "n0nce", ""}), "own:pack:7:n0nce");
}

TEST(OwnerButtonsTest, AMissingOrEmptyNonceDecodesEmptyForTheEngineToRefuse) {
  auto empty = DecodeOwnerButton("own:approve:7:");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->order_id, 7);
  EXPECT_TRUE(empty->nonce.empty());
  auto missing = DecodeOwnerButton("own:approve:7");
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->nonce.empty());
}

TEST(OwnerButtonsTest, AnythingElseIsNotAnOwnerButton) {
  for (const char* id :
       {"", "own", "own:approve", "own:steal:7:n", "own:approve:x7:n", "own:approve:-7:n",
        "own:approve:7:n:reason", "own:reject:7:n:", "own:reject:7:n:unclear:more", "cart:checkout",
        "OWN:approve:7:n", "own:approve:1234567890123456789:n"}) {
    EXPECT_FALSE(DecodeOwnerButton(id)) << id;
  }
}

}  // namespace
}  // namespace chatshop::bot
