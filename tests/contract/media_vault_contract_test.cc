// One suite, two implementations of service::MediaVault (issue 15): FileMediaVault (the single
// box) and PgMediaVault (table media_blobs, every node). Both keep a screenshot by its
// SHA-256, store the same content once, and give back exactly the bytes they were given.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "infra/media_vault.h"
#include "infra/migrations.h"
#include "infra/pg_media_vault.h"
#include "support/stack.h"

namespace chatshop::contract {
namespace {

namespace fs = std::filesystem;

class FileVaultWorld {
 public:
  FileVaultWorld() : root_(fs::temp_directory_path() / testing::UniqueName("chatshop_vault")) {}
  ~FileVaultWorld() { fs::remove_all(root_); }
  service::MediaVault& Vault() { return vault_; }
  // How many contents are kept.
  size_t Count() {
    size_t files = 0;
    if (!fs::exists(root_)) return 0;
    for (const auto& entry : fs::recursive_directory_iterator(root_))
      files += entry.is_regular_file();
    return files;
  }
  std::string Read(const service::StoredMedia& kept) {
    std::ifstream in(kept.path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }
  bool PathNames(const service::StoredMedia& kept) {
    return kept.path == (root_ / kept.sha256.substr(0, 2) / kept.sha256).string();
  }

 private:
  fs::path root_;
  infra::FileMediaVault vault_{root_.string()};
  infra::FileMediaVault other_{root_.string()};

 public:
  // A second vault over the same store: another worker process.
  service::MediaVault& OtherVault() { return other_; }
};

class PgVaultWorld {
 public:
  PgVaultWorld() { EXPECT_TRUE(infra::Migrator(schema_.url()).Migrate()); }
  service::MediaVault& Vault() { return vault_; }
  size_t Count() { return std::stoul(schema_.QueryValue("SELECT count(*) FROM media_blobs")); }
  std::string Read(const service::StoredMedia& kept) {
    auto bytes = infra::PgMediaVault(schema_.url()).Read(kept.sha256);
    EXPECT_TRUE(bytes) << bytes.error().message;
    return bytes.value_or("");
  }
  bool PathNames(const service::StoredMedia& kept) { return kept.path == "pg:" + kept.sha256; }

 private:
  testing::TestSchema schema_;
  infra::PgMediaVault vault_{schema_.url()};
  infra::PgMediaVault other_{schema_.url()};

 public:
  // A second vault over the same store (its own connection): another worker process.
  service::MediaVault& OtherVault() { return other_; }
};

template <typename World>
class MediaVaultContract : public ::testing::Test {
 protected:
  World world_;
};

using Worlds = ::testing::Types<FileVaultWorld, PgVaultWorld>;
TYPED_TEST_SUITE(MediaVaultContract, Worlds);

TYPED_TEST(MediaVaultContract, KeepsBytesUnderTheirDigestExactly) {
  // A PNG's signature has a NUL-free prefix; the zero bytes after it must survive too.
  const std::string bytes("\x89PNG\r\n\x1a\n\0\0\0\rIHDR payment \xff\x00 done", 30);
  auto& vault = this->world_.Vault();
  EXPECT_EQ(vault.DigestOf(bytes), common::Sha256Hex(bytes));
  auto kept = vault.Keep(bytes);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->sha256, common::Sha256Hex(bytes));
  EXPECT_EQ(kept->size, 30);
  EXPECT_TRUE(this->world_.PathNames(*kept)) << kept->path;
  EXPECT_EQ(this->world_.Read(*kept), bytes);
}

TYPED_TEST(MediaVaultContract, TheSameContentIsStoredOnce) {
  auto& vault = this->world_.Vault();
  auto first = vault.Keep("screenshot A");
  ASSERT_TRUE(first) << first.error().message;
  auto again = vault.Keep("screenshot A");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->path, first->path);
  EXPECT_EQ(this->world_.Count(), 1u);
  auto other = vault.Keep("screenshot B");
  ASSERT_TRUE(other);
  EXPECT_NE(other->sha256, first->sha256);
  EXPECT_EQ(this->world_.Count(), 2u);
}

TYPED_TEST(MediaVaultContract, TwoWorkersKeepingTheSameProofBothSucceed) {
  auto& vault = this->world_.Vault();
  auto& other = this->world_.OtherVault();
  Result<service::StoredMedia> a = MakeError(ErrorCode::kInternal, "not run"), b = a;
  std::thread first([&] { a = vault.Keep("the same proof"); });
  std::thread second([&] { b = other.Keep("the same proof"); });
  first.join();
  second.join();
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(this->world_.Count(), 1u);
}

TEST(PgMediaVaultTest, UnreachablePostgresIsUnavailableAndAnUnknownDigestNotFound) {
  infra::PgMediaVault down("postgresql://chatshop:pw@127.0.0.1:1/none?connect_timeout=1");
  auto kept = down.Keep("x");
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code, ErrorCode::kUnavailable);
  testing::TestSchema schema;
  ASSERT_TRUE(infra::Migrator(schema.url()).Migrate());
  EXPECT_EQ(infra::PgMediaVault(schema.url()).Read(std::string(64, 'a')).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace chatshop::contract
