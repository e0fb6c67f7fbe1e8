// Graph API tokens at rest (AES-256-GCM under the master key, bound to the shop's number):
// sealed values hide the token, open with the key for their shop only, and fail cleanly with
// another key, for another shop or when damaged; values sealed before the binding still open.
#include "infra/credentials.h"

#include <gtest/gtest.h>

namespace chatshop::infra {
namespace {

constexpr const char* kShopA = "106540352242922";
constexpr const char* kShopB = "106540352242923";

TEST(TokenVaultTest, SealedTokensOpenOnlyWithTheirKey) {
  const std::string token = "EAAGm0PX4ZCpsBAAsecret-token-value";
  auto vault = TokenVault::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(vault);
  auto sealed = vault->Seal(token, kShopA);
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(IsSealed(*sealed));
  EXPECT_EQ(sealed->rfind("enc:v2:", 0), 0u);
  EXPECT_EQ(sealed->find(token), std::string::npos);
  EXPECT_EQ(sealed->find("secret"), std::string::npos);
  EXPECT_NE(*sealed, *vault->Seal(token, kShopA)) << "a fresh nonce each time";
  EXPECT_EQ(*vault->Open(*sealed, kShopA), token);
  EXPECT_EQ(*vault->Open("plain-token-from-before", kShopA), "plain-token-from-before");

  auto other = TokenVault::FromKey(std::string(32, 'x'));
  auto wrong = other->Open(*sealed, kShopA);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(wrong.error().message.find(token), std::string::npos);
  std::string damaged = *sealed;
  damaged[damaged.size() - 5] = damaged[damaged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(vault->Open(damaged, kShopA));
  EXPECT_FALSE(vault->Open("enc:v1:not base64!", kShopA));
  EXPECT_FALSE(vault->Open("enc:v2:not base64!", kShopA));
  EXPECT_FALSE(TokenVault::FromKey("too short"));
}

TEST(TokenVaultTest, ASealedTokenCopiedToAnotherShopDoesNotOpenThere) {
  auto vault = TokenVault::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(vault);
  auto sealed = vault->Seal("EAAG-token-of-shop-a", kShopA);
  ASSERT_TRUE(sealed);
  auto as_b = vault->Open(*sealed, kShopB);
  ASSERT_FALSE(as_b) << "shop B's row holding shop A's value must not yield A's token";
  EXPECT_EQ(as_b.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(as_b.error().message.find("another shop"), std::string::npos) << as_b.error().message;
  EXPECT_EQ(as_b.error().message.find("EAAG"), std::string::npos);
  EXPECT_FALSE(vault->Open(*sealed, "")) << "nor with no shop";
  // Relabelled as v1 (no additional data), it does not open either: the tag covers the shop.
  EXPECT_FALSE(vault->Open("enc:v1:" + sealed->substr(7), kShopA));
  EXPECT_EQ(*vault->Open(*sealed, kShopA), "EAAG-token-of-shop-a");
}

TEST(TokenVaultTest, ValuesSealedBeforeTheShopBindingStillOpen) {
  // AES-256-GCM of "EAAG-token-sealed-by-v1" under 32 × 'k', nonce 00 01 … 0b, no additional
  // data: what the v1 format stored.
  const std::string v1 =
      "enc:v1:AAECAwQFBgcICQoLL5y1aSmk6R4m9X75AaRkPZzD2B2xEK3mYCWYCu5bdtttCbK1k58F";
  auto vault = TokenVault::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(vault);
  EXPECT_TRUE(IsSealed(v1));
  auto opened = vault->Open(v1, kShopA);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, "EAAG-token-sealed-by-v1");
  EXPECT_FALSE(TokenVault::FromKey(std::string(32, 'x'))->Open(v1, kShopA))
      << "still needs the key";
}

TEST(TokenVaultTest, TheMasterKeyComesFromTheEnvironment) {
  unsetenv("CHATSHOP_MASTER_KEY");
  unsetenv("CHATSHOP_MASTER_KEY_FILE");
  auto none = TokenVault::FromEnvironment();
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("openssl rand -base64 32"), std::string::npos);
  setenv("CHATSHOP_MASTER_KEY", "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=", 1);  // 32 × 'k'
  auto from_env = TokenVault::FromEnvironment();
  ASSERT_TRUE(from_env);
  auto sealed = TokenVault::FromKey(std::string(32, 'k'))->Seal("t0ken", kShopA);
  EXPECT_EQ(*from_env->Open(*sealed, kShopA), "t0ken");
  setenv("CHATSHOP_MASTER_KEY", "bm90IDMyIGJ5dGVz", 1);  // "not 32 bytes"
  EXPECT_FALSE(TokenVault::FromEnvironment());
  unsetenv("CHATSHOP_MASTER_KEY");
}

}  // namespace
}  // namespace chatshop::infra
