#include "infra/media_vault.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/crypto.h"

namespace chatshop::infra {
namespace {

// Payment proofs show customers' names, banks and amounts: readable by the worker's user only.
constexpr mode_t kDirMode = 0700, kFileMode = 0600;

// Creates `dir` (and its parents) and makes it 0700 whatever the umask; a folder an older
// version left more open is closed too.
Status PrivateDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    if (dir.has_parent_path() && dir.parent_path() != dir) {
      // Parents above the media folder are the admin's; only create them when missing.
      std::filesystem::create_directories(dir.parent_path(), ec);
    }
    if (::mkdir(dir.c_str(), kDirMode) != 0 && errno != EEXIST) {
      return MakeError(ErrorCode::kUnavailable,
                       "media dir " + dir.string() + ": " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kUnavailable,
                     "media dir " + dir.string() + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 07777) != kDirMode && ::chmod(dir.c_str(), kDirMode) != 0) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot make " + dir.string() + " private: " + std::strerror(errno));
  }
  return Ok();
}

// Writes `bytes` to a new file at `path`, mode 0600 whatever the umask.
Status WritePrivateFile(const std::filesystem::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode);
  if (fd < 0)
    return MakeError(ErrorCode::kUnavailable,
                     "cannot write " + path.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, kFileMode) == 0;
  for (size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  const std::string why = ok ? "" : std::strerror(errno);
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    ::unlink(path.c_str());
    return MakeError(ErrorCode::kUnavailable, "cannot write " + path.string() + ": " + why);
  }
  return Ok();
}

}  // namespace

std::string FileMediaVault::DigestOf(const std::string& bytes) const {
  return common::Sha256Hex(bytes);
}

Result<service::StoredMedia> FileMediaVault::Keep(const std::string& bytes) {
  namespace fs = std::filesystem;
  static std::atomic<uint64_t> counter{0};
  const std::string sha = common::Sha256Hex(bytes);
  const fs::path dir = fs::path(dir_) / sha.substr(0, 2);
  const fs::path path = dir / sha;
  std::error_code ec;
  if (auto made = PrivateDirectory(dir_); !made) return tl::unexpected(made.error());
  if (auto made = PrivateDirectory(dir); !made) return tl::unexpected(made.error());
  if (!fs::exists(path, ec)) {
    const fs::path temporary =
        dir / (sha + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
    if (auto written = WritePrivateFile(temporary, bytes); !written) {
      return tl::unexpected(written.error());
    }
    fs::rename(temporary, path, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot store media: " + ec.message());
  }
  return service::StoredMedia{sha, static_cast<int64_t>(bytes.size()), path.string()};
}

}  // namespace chatshop::infra
