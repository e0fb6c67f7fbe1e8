// The real chatshop-gateway in front of the real broker: every fixture, signatures, body limits,
// and a broker outage.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/deployment.h"
#include "support/fixture_cases.h"
#include "support/fixtures.h"
#include "support/tcp_proxy.h"
#include "webhook/signature.h"
#include "whatsapp/inbound_event.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::HttpOk;
using testing::WaitFor;

class GatewayTest : public ::testing::Test {
 protected:
  void StartGateway() {
    deployment_->Start("gateway");
    ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_->admin_port(), "/readyz"); }));
  }

  httplib::Result Post(const std::string& body, const std::string& signature) {
    httplib::Client client("127.0.0.1", deployment_->gateway_port());
    client.set_read_timeout(30);
    httplib::Headers headers;
    if (!signature.empty()) headers.emplace("X-Hub-Signature-256", signature);
    return client.Post("/webhook", headers, body, "application/json");
  }

  httplib::Result PostSigned(const std::string& body) {
    return Post(body, webhook::SignatureHeader(testing::kAppSecret, body));
  }

  std::string Metrics() {
    httplib::Client client("127.0.0.1", deployment_->admin_port());
    auto res = client.Get("/metrics");
    return res ? res->body : "";
  }

  std::unique_ptr<testing::Deployment> deployment_ = std::make_unique<testing::Deployment>();
};

// A comparable summary of an event: kind, type, subtype, customer, the checked data field.
std::string Summary(const std::string& kind, const std::string& type, const std::string& subtype,
                    const std::string& customer, const json& field) {
  return kind + "|" + type + "|" + subtype + "|" + customer + "|" + field.dump();
}

TEST_F(GatewayTest, EveryFixtureArrivesOnTheShardQueuesAsExpected) {
  StartGateway();
  for (const auto& c : testing::FixtureCases()) {
    SCOPED_TRACE(c.file);
    auto res = PostSigned(testing::ReadWebhookFixture(c.file));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << res->body;

    std::vector<std::string> want, got;
    for (const auto& e : c.events) {
      want.push_back(Summary(e.kind, e.type, e.subtype, e.customer, json::parse(e.value)));
    }
    for (const auto& delivery : deployment_->TakeInbound()) {
      auto event = whatsapp::InboundEvent::FromJson(json::parse(delivery.body));
      ASSERT_TRUE(event);
      EXPECT_EQ(event->phone_number_id, testing::kShopNumberId);
      EXPECT_EQ(delivery.message_id, event->DedupeKey());
      // The matching expectation names the field to compare; find it by kind/type/customer.
      json field;
      for (const auto& e : c.events) {
        if (e.kind == whatsapp::KindName(event->kind) && e.type == event->type &&
            e.customer == event->customer) {
          const json::json_pointer pointer(e.pointer);
          field = event->data.contains(pointer) ? event->data.at(pointer) : json();
        }
      }
      got.push_back(Summary(std::string(whatsapp::KindName(event->kind)), event->type,
                            event->subtype, event->customer, field));
    }
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);

    std::vector<std::string> parked;
    for (const auto& delivery : deployment_->TakeParked()) parked.push_back(delivery.reason);
    EXPECT_EQ(parked, c.parked_reasons);
  }
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("chatshop_webhook_unknown_tenant_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("chatshop_webhook_ignored_changes_total 2"), std::string::npos) << metrics;
}

TEST_F(GatewayTest, SignatureMustMatchTheExactBytesAndNeverLeaksTheDigest) {
  StartGateway();
  const std::string body = testing::ReadWebhookFixture("01_text_order.json");
  const std::string digest = webhook::HmacSha256Hex(testing::kAppSecret, body);
  std::string upper = digest;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  std::string one_byte_changed = body;
  one_byte_changed[one_byte_changed.find("maggi")] = 'M';

  struct Case {
    std::string name, body, signature;
    int status;
  };
  const std::vector<Case> cases = {
      {"forged", body, "sha256=" + webhook::HmacSha256Hex("guessed", body), 401},
      {"missing", body, "", 401},
      {"wrong prefix", body, "sha1=" + digest, 401},
      {"no prefix", body, digest, 401},
      {"body changed by one byte", one_byte_changed, "sha256=" + digest, 401},
      {"upper-case hex", body, "sha256=" + upper, 200},
  };
  for (const auto& c : cases) {
    auto res = Post(c.body, c.signature);
    ASSERT_TRUE(res) << c.name;
    EXPECT_EQ(res->status, c.status) << c.name;
    EXPECT_EQ(res->body.find(digest), std::string::npos) << c.name << " leaked the digest";
  }
  EXPECT_EQ(deployment_->TakeInbound().size(), 1u) << "only the correctly signed body is queued";
  EXPECT_NE(Metrics().find("chatshop_webhook_signature_failures_total 5"), std::string::npos);
}

TEST_F(GatewayTest, HandshakeAndBodyLimits) {
  StartGateway();
  httplib::Client client("127.0.0.1", deployment_->gateway_port());
  auto ok = client.Get(
      "/webhook?hub.mode=subscribe&hub.verify_token=e2e-verify&hub.challenge=1158201444");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "1158201444");
  auto bad = client.Get("/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 403);

  // Over 3 MiB: refused from Content-Length, before the body is read.
  std::string huge(3 * 1024 * 1024 + 1, ' ');
  auto too_big = PostSigned(huge);
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);

  auto not_json = PostSigned("this is not json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
}

TEST(GatewayOutageTest, BrokerDownMeans503AndBackMeans200WithoutARestart) {
  testing::TcpProxy proxy(testing::StackConfig().rabbitmq.url.empty() ? 0 : [] {
    // The stack's AMQP port, from its URL (amqp://user:pass@127.0.0.1:PORT).
    const std::string& url = testing::StackConfig().rabbitmq.url;
    return std::stoi(url.substr(url.rfind(':') + 1));
  }());
  testing::Deployment deployment("amqp://guest:guest@127.0.0.1:" + std::to_string(proxy.port()));
  deployment.Start("gateway");
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));
  const std::string body = testing::ReadWebhookFixture("01_text_order.json");
  auto post = [&] {
    httplib::Client client("127.0.0.1", deployment.gateway_port());
    client.set_read_timeout(30);
    auto res = client.Post(
        "/webhook", {{"X-Hub-Signature-256", webhook::SignatureHeader(testing::kAppSecret, body)}},
        body, "application/json");
    return res ? res->status : 0;
  };
  EXPECT_EQ(post(), 200);

  proxy.Cut();
  EXPECT_EQ(post(), 503) << "not queued, so Meta must retry";
  EXPECT_EQ(post(), 503);
  EXPECT_TRUE(WaitFor([&] { return !HttpOk(deployment.admin_port(), "/readyz"); }))
      << "/readyz should report the broker gone";

  proxy.Restore();
  EXPECT_TRUE(WaitFor([&] { return post() == 200; })) << "the gateway did not reconnect";
  EXPECT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));
  EXPECT_GE(deployment.TakeInbound().size(), 2u);
}

}  // namespace
}  // namespace chatshop
