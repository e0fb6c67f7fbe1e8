#include "service/inbound_processor.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "common/logging.h"
#include "fakes/fakes.h"

namespace chatshop::service {
namespace {

using namespace chatshop::bot;  // the engine's types and the engine fixture

whatsapp::InboundEvent TextFrom(const std::string& customer, const std::string& wamid) {
  whatsapp::InboundEvent e;
  e.kind = whatsapp::InboundEvent::Kind::kMessage;
  e.phone_number_id = "106540352242922";
  e.customer = customer;
  e.customer_name = "Ramesh";
  e.id = wamid;
  e.type = "text";
  e.raw = {{"text", {{"body", "2 atta"}}}};
  return e;
}

class InboundProcessorTest : public ::testing::Test {
 protected:
  InboundProcessorTest() { fakes::AddTestShop(store_, catalogs_); }
  static const common::TemplateSet& Templates() {
    static const common::TemplateSet set =
        *common::TemplateSet::Load(CHATSHOP_DEFAULT_TEMPLATES_DIR, WorkerTemplateNames());
    return set;
  }
  common::MetricsRegistry metrics_;
  fakes::FakeInboundStore store_;
  fakes::FakeCatalogSource catalogs_;
  InboundProcessor processor_{store_, &catalogs_, Templates(), metrics_};
};

TEST_F(InboundProcessorTest, MessageIsRecordedWithOneReplyToTheSender) {
  Handling outcome = processor_.Handle(TextFrom("919876543210", "wamid.A"));
  EXPECT_EQ(outcome.disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 1u);
  EXPECT_EQ(store_.outbox[0]["to"], "+919876543210");
  EXPECT_NE(store_.outbox[0]["text"]["body"].get<std::string>().find("Sharma Kirana"),
            std::string::npos);
}

TEST_F(InboundProcessorTest, RedeliveredMessageHasNoSecondEffect) {
  ASSERT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.A")).disposition, Disposition::kAck);
  ASSERT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.A")).disposition, Disposition::kAck);
  EXPECT_EQ(store_.outbox.size(), 1u);
}

TEST_F(InboundProcessorTest, UnknownShopIsDeadLettered) {
  auto event = TextFrom("919876543210", "wamid.B");
  event.phone_number_id = "999";
  Handling outcome = processor_.Handle(event);
  EXPECT_EQ(outcome.disposition, Disposition::kDeadLetter);
  EXPECT_NE(outcome.reason.find("999"), std::string::npos);
  EXPECT_TRUE(store_.outbox.empty());
}

TEST_F(InboundProcessorTest, DatabaseDownMeansRetryNotLoss) {
  store_.unavailable = true;
  EXPECT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.C")).disposition,
            Disposition::kRetry);
  store_.unavailable = false;
  EXPECT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.C")).disposition, Disposition::kAck);
  EXPECT_EQ(store_.outbox.size(), 1u);
}

TEST_F(InboundProcessorTest, StatusesAreAcknowledgedWithoutReplies) {
  whatsapp::InboundEvent status;
  status.kind = whatsapp::InboundEvent::Kind::kStatus;
  status.type = "read";
  EXPECT_EQ(processor_.Handle(status).disposition, Disposition::kAck);
  EXPECT_TRUE(store_.outbox.empty());
}

TEST_F(InboundProcessorTest, AFailedStatusIsLoggedWithEveryPhoneNumberMasked) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = common::GetLogger("worker");
  logger->sinks().push_back(sink);
  whatsapp::InboundEvent status;
  status.kind = whatsapp::InboundEvent::Kind::kStatus;
  status.phone_number_id = "106540352242922";
  status.customer = "919876543210";
  status.id = "wamid.F1";
  status.type = "failed";
  status.data = {{"id", "wamid.F1"},
                 {"status", "failed"},
                 {"recipient_id", "919876543210"},
                 {"errors",
                  {{{"code", 131026},
                    {"title", "Message undeliverable to 919876543210"},
                    {"error_data", {{"details", "number 919876543210 is not on WhatsApp"}}}}}}};
  EXPECT_EQ(processor_.Handle(status).disposition, Disposition::kAck);
  logger->flush();
  logger->sinks().pop_back();
  const std::string log = captured.str();
  EXPECT_NE(
      log.find(
          "message wamid.F1 to 9198****3210 failed: 131026 Message undeliverable to 9198****3210"),
      std::string::npos)
      << log;
  EXPECT_EQ(log.find("919876543210"), std::string::npos) << "no full number in the log: " << log;
}

TEST_F(InboundProcessorTest, ShopWithACatalogGetsTheEngineAndItsStateIsKept) {
  catalogs_.catalogs[7] = orders::Catalog{{orders::Product{
      "MAGGI-70", "Maggi 70g", orders::Money{1400}, 100, "packet", "snacks", {"maggi"}}}};
  auto first = TextFrom("919876543210", "wamid.E1");
  first.data = {{"body", "2 maggi"}};
  ASSERT_EQ(processor_.Handle(first).disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 1u);
  EXPECT_EQ(store_.outbox[0]["type"], "interactive");
  auto second = TextFrom("919876543210", "wamid.E2");
  second.data = {{"body", "maggi 3"}};
  ASSERT_EQ(processor_.Handle(second).disposition, Disposition::kAck);
  const auto& stored = store_.conversations.at({7, "919876543210"});
  EXPECT_EQ(stored.version, 2) << "two messages, two writes";
  EXPECT_EQ(stored.state["cart"][0]["qty"], 5) << "the second message added to the stored cart";
  EXPECT_EQ(processor_.Handle(second).disposition, Disposition::kAck);
  EXPECT_EQ(store_.outbox.size(), 2u) << "a redelivery changes nothing";
}

TEST_F(InboundProcessorTest, CatalogChangeIsSeenByTheNextMessage) {
  orders::Product maggi{"MAGGI-70", "Maggi 70g", orders::Money{1400}, 100, "packet",
                        "snacks",   {"maggi"}};
  catalogs_.catalogs[7] = orders::Catalog{{maggi}};
  auto first = TextFrom("919876543210", "wamid.G1");
  first.data = {{"body", "2 maggi"}};
  ASSERT_EQ(processor_.Handle(first).disposition, Disposition::kAck);
  maggi.stock = 0;
  catalogs_.catalogs[7] = orders::Catalog{{maggi}};
  auto second = TextFrom("919876543210", "wamid.G2");
  second.data = {{"body", "1 maggi"}};
  ASSERT_EQ(processor_.Handle(second).disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 3u) << "the stock problem and the choice of what to do";
  const std::string body = store_.outbox[1]["text"]["body"];
  EXPECT_NE(body.find("Maggi 70g is out of stock"), std::string::npos) << body;
  EXPECT_EQ(store_.outbox[2]["interactive"]["type"], "list");
}

TEST_F(InboundProcessorTest, ShopLanguageDeliveryFeeAndOwnWordingReachTheReplies) {
  catalogs_.catalogs[7] = orders::Catalog{{orders::Product{
      "MAGGI-70", "Maggi 70g", orders::Money{1400}, 100, "packet", "snacks", {"maggi"}}}};
  ShopRecord& shop = store_.shops["106540352242922"];
  shop.locale = "hi";
  shop.delivery = {orders::Money{2500}, std::nullopt};
  shop.templates = {{"hi/button_checkout", "पैसे भेजें"}};
  auto event = TextFrom("919876543210", "wamid.H1");
  event.data = {{"body", "2 maggi"}};
  ASSERT_EQ(processor_.Handle(event).disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 1u);
  const auto& interactive = store_.outbox[0]["interactive"];
  const std::string body = interactive["body"]["text"];
  EXPECT_NE(body.find("डिलीवरी: ₹25.00\n*कुल: ₹53.00*"), std::string::npos) << body;
  EXPECT_EQ(interactive["action"]["buttons"][0]["reply"]["title"], "पैसे भेजें");
}

TEST_F(InboundProcessorTest, CatalogUnavailableMeansRetry) {
  catalogs_.unavailable = true;
  EXPECT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.F")).disposition,
            Disposition::kRetry);
  EXPECT_TRUE(store_.outbox.empty());
}

TEST_F(InboundProcessorTest, ShopWithoutACatalogIsAcknowledgedInItsLanguage) {
  catalogs_.catalogs.clear();
  store_.shops["106540352242922"].locale = "hi";
  ASSERT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.I")).disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 1u);
  EXPECT_EQ(store_.outbox[0]["text"]["body"],
            "नमस्ते Ramesh! Sharma Kirana को आपका संदेश मिल गया है। हम जल्द ही यहाँ जवाब देंगे।");
}

}  // namespace
}  // namespace chatshop::service
