// The media worker's decisions with in-memory fakes: a payment screenshot is checked (size,
// SHA-256) before it is kept, transient failures come back with backoff, and what can never
// succeed tells the owners at once instead of retrying.
#include "service/proof_fetcher.h"

#include <gtest/gtest.h>

#include <map>

#include "unit/bot/engine_fixture.h"

namespace chatshop::service {
namespace {

using namespace chatshop::bot;  // the engine's types and the engine fixture

// Files as their first bytes make them (whatsapp/media_kind.h).
const std::string kPngBytes = std::string("\x89PNG\r\n\x1a\n", 8) + "IHDR-and-the-rest";
const std::string kPdfBytes = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n";
const std::string kWebpBytes = std::string("RIFF\x24\0\0\0WEBPVP8 ", 16) + "data";

class FakeProofStore : public ProofStore {
 public:
  std::vector<std::string> refusals;
  std::vector<json> customer_notices;
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
  Status Refuse(const ProofJob&, const std::string& reason, int,
                const CustomerNotices& make) override {
    refusals.push_back(reason);
    orders::OrderView back = order;
    back.status = orders::OrderStatus::kAwaitingPayment;
    for (auto& n : make(back)) customer_notices.push_back(n);
    return Ok();
  }
};

class FakeMediaApi : public MediaApi {
 public:
  Result<MediaInfo> info = MediaInfo{"https://media/1", "image/png", "", -1};
  Result<std::string> bytes = kPngBytes;
  int downloads = 0;
  std::vector<std::string> uploaded_types;
  Result<MediaInfo> GetMedia(const std::string&, const std::string&, const std::string&) override {
    return info;
  }
  Result<std::string> Download(const std::string&, const std::string&, int64_t) override {
    ++downloads;
    return bytes;
  }
  Result<std::string> Upload(const std::string&, const std::string&, const std::string&,
                             const std::string& mime_type) override {
    uploaded_types.push_back(mime_type);
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
  media_.info->sha256 = vault_.DigestOf(kPngBytes);
  media_.info->file_size = static_cast<int64_t>(kPngBytes.size());
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
  media_.info->file_size = 50;  // Meta's size (under the limit); the download brought 25 bytes
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

TEST_F(ProofFetcherTest, APdfReachesTheOwnersAsADocumentWithTheButtons) {
  media_.bytes = kPdfBytes;
  job_.mime_type = "image/jpeg";  // what the phone said; the bytes decide
  Run();
  ASSERT_EQ(media_.uploaded_types, (std::vector<std::string>{"application/pdf"}));
  ASSERT_EQ(store_.notices.size(), 1u);
  const json& header = store_.notices[0]["interactive"]["header"];
  EXPECT_EQ(header["type"], "document");
  EXPECT_EQ(header["document"]["id"], "UPLOADED-1");
  EXPECT_EQ(store_.notices[0]["interactive"]["action"]["buttons"].size(), 2u);
}

TEST_F(ProofFetcherTest, APictureIsUploadedWithTheTypeItsBytesHave) {
  job_.mime_type = "application/octet-stream";
  Run();
  EXPECT_EQ(media_.uploaded_types, (std::vector<std::string>{"image/png"}));
  ASSERT_EQ(store_.notices.size(), 1u);
  EXPECT_EQ(store_.notices[0]["interactive"]["header"]["type"], "image");
}

TEST_F(ProofFetcherTest, WebpIsKeptAndNamedButNotUploadedAsAPicture) {
  media_.bytes = kWebpBytes;
  Run();
  EXPECT_TRUE(media_.uploaded_types.empty()) << "Meta shows WebP only as a sticker";
  EXPECT_EQ(vault_.kept.size(), 1u);
  ASSERT_EQ(store_.notices.size(), 1u);
  EXPECT_FALSE(store_.notices[0]["interactive"].contains("header"));
  EXPECT_EQ(store_.notices[0]["interactive"]["action"]["buttons"].size(), 2u);
}

TEST_F(ProofFetcherTest, AFileThatIsNotAPictureOrPdfIsRefusedAndTheCustomerTold) {
  for (const std::string& bytes :
       {std::string("hello, this is a text file\n"), std::string("<html><body>pay</body></html>"),
        std::string("PK\x03\x04zip", 7), std::string("\xFF\xD8", 2)}) {
    store_ = FakeProofStore();
    store_.order = AnOrder(1042);
    store_.order.status = orders::OrderStatus::kPaymentReview;
    media_.bytes = bytes;
    media_.uploaded_types.clear();
    vault_.kept.clear();
    job_.mime_type = "image/jpeg";
    Run();
    ASSERT_EQ(store_.refusals.size(), 1u) << bytes;
    EXPECT_NE(store_.refusals[0].find("declared image/jpeg"), std::string::npos);
    EXPECT_TRUE(vault_.kept.empty()) << "never kept";
    EXPECT_TRUE(media_.uploaded_types.empty()) << "never uploaded";
    EXPECT_TRUE(store_.notices.empty()) << "the owners are not bothered";
    EXPECT_TRUE(store_.retries.empty()) << "the same file will not change";
    ASSERT_EQ(store_.customer_notices.size(), 1u);
    EXPECT_EQ(store_.customer_notices[0]["to"], "+919876543210");
    EXPECT_NE(store_.customer_notices[0]["text"]["body"].get<std::string>().find(
                  "The file you sent for order #1042 is not a picture or a PDF"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace chatshop::service
