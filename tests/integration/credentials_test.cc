// Graph API tokens at rest (AES-256-GCM under the master key): sealed values hide the token,
// open with the key, and fail cleanly with another key or when damaged.
#include <gtest/gtest.h>

#include "infra/credentials.h"

namespace chatshop::infra {
namespace {

TEST(TokenVaultTest, SealedTokensOpenOnlyWithTheirKey) {
  const std::string token = "EAAGm0PX4ZCpsBAAsecret-token-value";
  auto vault = TokenVault::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(vault);
  auto sealed = vault->Seal(token);
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(IsSealed(*sealed));
  EXPECT_EQ(sealed->find(token), std::string::npos);
  EXPECT_EQ(sealed->find("secret"), std::string::npos);
  EXPECT_NE(*sealed, *vault->Seal(token)) << "a fresh nonce each time";
  EXPECT_EQ(*vault->Open(*sealed), token);
  EXPECT_EQ(*vault->Open("plain-token-from-before"), "plain-token-from-before");

  auto other = TokenVault::FromKey(std::string(32, 'x'));
  auto wrong = other->Open(*sealed);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(wrong.error().message.find(token), std::string::npos);
  std::string damaged = *sealed;
  damaged[damaged.size() - 5] = damaged[damaged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(vault->Open(damaged));
  EXPECT_FALSE(vault->Open("enc:v1:not base64!"));
  EXPECT_FALSE(TokenVault::FromKey("too short"));
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
  auto sealed = TokenVault::FromKey(std::string(32, 'k'))->Seal("t0ken");
  EXPECT_EQ(*from_env->Open(*sealed), "t0ken");
  setenv("CHATSHOP_MASTER_KEY", "bm90IDMyIGJ5dGVz", 1);  // "not 32 bytes"
  EXPECT_FALSE(TokenVault::FromEnvironment());
  unsetenv("CHATSHOP_MASTER_KEY");
}

}  // namespace
}  // namespace chatshop::infra
