// Payment proofs on disk: 0600 files in 0700 folders whatever the umask, stored once by hash.
#include "infra/media_vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "support/stack.h"

namespace chatshop::infra {
namespace {

namespace fs = std::filesystem;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class MediaVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / testing::UniqueName("chatshop_media");
    saved_umask_ = ::umask(0);  // the most open umask: nothing may come out world-readable
  }
  void TearDown() override {
    ::umask(saved_umask_);
    fs::remove_all(root_);
  }
  fs::path root_;
  mode_t saved_umask_ = 0;
};

TEST_F(MediaVaultTest, ProofsAre0600In0700FoldersWhateverTheUmask) {
  FileMediaVault vault((root_ / "media").string());
  const std::string bytes = "\x89PNG\r\n\x1a\n a payment screenshot";
  auto kept = vault.Keep(bytes);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(ModeOf(kept->path), 0600u);
  EXPECT_EQ(ModeOf(fs::path(kept->path).parent_path().string()), 0700u);
  EXPECT_EQ(ModeOf((root_ / "media").string()), 0700u);
  std::ifstream in(kept->path, std::ios::binary);
  std::ostringstream read;
  read << in.rdbuf();
  EXPECT_EQ(read.str(), bytes);
  EXPECT_EQ(kept->sha256, common::Sha256Hex(bytes));

  // Another umask (one that would even take the owner's write bit), another proof: the same.
  ::umask(0277);
  auto second = vault.Keep("another proof");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ModeOf(second->path), 0600u);
  EXPECT_EQ(ModeOf(fs::path(second->path).parent_path().string()), 0700u);
  auto again = vault.Keep(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->path, kept->path) << "stored once";
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "media"))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 2u) << "no temporary file left behind";
}

TEST_F(MediaVaultTest, AFolderLeftOpenByAnOlderVersionIsClosed) {
  const fs::path media = root_ / "media";
  fs::create_directories(media / "ab");
  fs::permissions(media, fs::perms(0755));
  FileMediaVault vault(media.string());
  auto kept = vault.Keep("proof");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(ModeOf(media.string()), 0700u);
  EXPECT_EQ(ModeOf(kept->path), 0600u);
}

}  // namespace
}  // namespace chatshop::infra
