// The media worker's decisions with in-memory fakes: a payment screenshot is checked (size,
// SHA-256) before it is kept, transient failures come back with backoff, and what can never
// succeed tells the owners at once instead of retrying.
#include <gtest/gtest.h>

#include <map>

#include "bot/proof_fetcher.h"
#include "engine_fixture.h"

namespace chatshop::bot {
namespace {

class FakeProofStore : public ProofStore {
 public:
  std::vector<ProofJob> due;
  std::vector<std::pair<int64_t, std::chrono::seconds>> retries;  // proof id, delay
  std::vector<StoredMedia> completed;
  std::vector<std::string> failures;
  std::vector<json> notices;  // queued for the owners
  orders::OrderView order;

  Result<std::vector<ProofJob>> ClaimDue(int, std::chrono::seconds) override {
    auto jobs = due;
    due.clear();
    return jobs;
  }
  Status Complete(const ProofJob&, const StoredMedia& media, const Notices& make) override {
    completed.push_back(media);
    for (auto& n : make(order, 0)) notices.push_back(n);
    return Ok();
  }
  Status Retry(int64_t id, std::chrono::seconds delay, const std::string&) override {
    retries.emplace_back(id, delay);
    return Ok();
  }
  Status Fail(const ProofJob&, const std::string& error, const Notices& make) override {
    failures.push_back(error);
    for (auto& n : make(order, -1)) notices.push_back(n);
    return Ok();
  }
};

class FakeMediaApi : public whatsapp::MediaApi {
 public:
  Result<whatsapp::MediaInfo> info = whatsapp::MediaInfo{"https://media/1", "image/png", "", -1};
  Result<std::string> bytes = std::string("PNG bytes");
  int downloads = 0;
  Result<whatsapp::MediaInfo> GetMedia(const std::string&, const std::string&,
                                       const std::string&) override {
    return info;
  }
  Result<std::string> Download(const std::string&, const std::string&, int64_t) override {
    ++downloads;
    return bytes;
  }
  Result<std::string> Upload(const std::string&, const std::string&, const std::string&,
                             const std::string&) override {
    return std::string("UPLOADED-1");
  }
};

// Digests are the bytes' length in hex letters, enough to tell files apart here.
class FakeVault : public MediaVault {
 public:
  std::map<std::string, std::string> kept;
  std::string DigestOf(const std::string& bytes) const override {
    return std::string(64, 'a' + static_cast<char>(bytes.size() % 6));
  }
  Result<StoredMedia> Keep(const std::string& bytes) override {
    const std::string sha = DigestOf(bytes);
    kept[sha] = bytes;
    return StoredMedia{sha, static_cast<int64_t>(bytes.size()), "/media/" + sha};
  }
};

class ProofFetcherTest : public EngineTest {
 protected:
  ProofFetcherTest() {
    job_.proof_id = 5;
    job_.order_id = 7;
    job_.shop.name = "Sharma Kirana";
    job_.shop.owners = {{"919800000001", "Mr Sharma", "en"}};
    job_.media_id = "MEDIA-1";
    job_.mime_type = "image/png";
    job_.attempts = 1;
    store_.order = AnOrder(1042);
    store_.order.status = orders::OrderStatus::kPaymentReview;
  }
  void Run(int attempts = 1) {
    job_.attempts = attempts;
    store_.due = {job_};
    ProofFetcher fetcher(store_, media_, vault_, Templates(), {100, 8, 30}, metrics_);
    auto handled = fetcher.RunOnce();
    ASSERT_TRUE(handled) << handled.error().message;
    EXPECT_EQ(*handled, 1);
  }
  ProofJob job_;
  FakeProofStore store_;
  FakeMediaApi media_;
  FakeVault vault_;
  common::MetricsRegistry metrics_;
};

TEST_F(ProofFetcherTest, AGoodDownloadIsKeptAndShownToTheOwners) {
  media_.info->sha256 = vault_.DigestOf("PNG bytes");
  media_.info->file_size = 9;
  Run();
  ASSERT_EQ(store_.completed.size(), 1u);
  EXPECT_EQ(vault_.kept.size(), 1u);
  ASSERT_EQ(store_.notices.size(), 1u);
  EXPECT_EQ(store_.notices[0]["to"], "+919800000001");
  EXPECT_EQ(store_.notices[0]["interactive"]["header"]["image"]["id"], "UPLOADED-1");
}

TEST_F(ProofFetcherTest, BytesThatDoNotMatchMetasDigestAreFetchedAgainNotKept) {
  media_.info->sha256 = std::string(64, 'f');
  Run();
  EXPECT_TRUE(vault_.kept.empty());
  EXPECT_TRUE(store_.completed.empty());
  ASSERT_EQ(store_.retries.size(), 1u);
  EXPECT_EQ(store_.retries[0].second, std::chrono::seconds(2));
}

TEST_F(ProofFetcherTest, ATruncatedDownloadIsFetchedAgain) {
  media_.info->file_size = 50;  // Meta's size (under the limit); the download brought 9 bytes
  Run();
  EXPECT_TRUE(vault_.kept.empty());
  EXPECT_EQ(store_.retries.size(), 1u);
}

TEST_F(ProofFetcherTest, TransientFailuresBackOffExponentiallyThenTellTheOwners) {
  media_.info = MakeError(ErrorCode::kUnavailable, "graph api http 500");
  Run(1);
  Run(3);
  ASSERT_EQ(store_.retries.size(), 2u);
  EXPECT_EQ(store_.retries[0].second, std::chrono::seconds(2));
  EXPECT_EQ(store_.retries[1].second, std::chrono::seconds(8));
  EXPECT_TRUE(store_.notices.empty());
  Run(8);  // the last attempt
  EXPECT_EQ(store_.retries.size(), 2u);
  ASSERT_EQ(store_.failures.size(), 1u);
  ASSERT_EQ(store_.notices.size(), 1u);
  EXPECT_TRUE(store_.notices[0]["interactive"]["header"].is_null()) << "no picture to show";
}

TEST_F(ProofFetcherTest, MediaLargerThanAllowedIsFinalAtOnce) {
  media_.info->file_size = 101;  // the limit is 100 bytes here
  Run(1);
  EXPECT_TRUE(store_.retries.empty()) << "the same media will not shrink";
  EXPECT_EQ(media_.downloads, 0);
  ASSERT_EQ(store_.failures.size(), 1u);
  EXPECT_EQ(store_.notices.size(), 1u);
}

}  // namespace
}  // namespace chatshop::bot
