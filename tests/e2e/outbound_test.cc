// Replies under Meta's limits through the real relay, sender, RabbitMQ, Redis and the sandbox,
// which enforces the limits (80 messages/s per number, the pair rate scaled down to 300 ms
// after a burst of 10) and can be told to fail: every reply arrives exactly once, one
// customer's in order, without a single limit error; each error class takes its path; a dead
// letter can be replayed with chatshopctl.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>

#include "support/deployment.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::WaitFor;

constexpr const char* kBusy = "919700000000";  // the customer who gets 50 replies at once

class OutboundE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deployment_.Start("sandbox");
    deployment_.Start("gateway");
    deployment_.Start("worker");
    ASSERT_TRUE(WaitFor([&] { return testing::HttpOk(deployment_.sandbox_port(), "/healthz"); }));
    ASSERT_TRUE(WaitFor([&] { return testing::HttpOk(deployment_.admin_port(), "/readyz"); }));
  }
  httplib::Client Sandbox() const {
    return httplib::Client("127.0.0.1", deployment_.sandbox_port());
  }
  void Faults(const json& rules) {
    auto res = Sandbox().Post("/sandbox/faults", json{{"rules", rules}}.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 200);
  }
  json Get(const std::string& path) const {
    auto res = Sandbox().Get(path.c_str());
    return res && res->status == 200 ? json::parse(res->body) : json();
  }
  std::string Q(const std::string& sql) const { return deployment_.schema().QueryValue(sql); }
  // Writes replies straight into the outbox, as the bot's transactions do: "burst 1" … "burst
  // N"; the first `busy` go to one customer, the rest to 90 others in turn.
  void QueueBurst(int count, int busy) {
    Q("INSERT INTO outbox (shop_id, recipient, payload) "
      "SELECT (SELECT id FROM shops), r, jsonb_build_object('messaging_product', 'whatsapp', "
      "  'recipient_type', 'individual', 'to', r, 'type', 'text', "
      "  'text', jsonb_build_object('body', 'burst ' || n)) "
      "FROM (SELECT n, CASE WHEN n <= " +
      std::to_string(busy) + " THEN '" + kBusy +
      "' "
      "  ELSE '9196' || lpad((n % 90)::text, 8, '0') END AS r "
      "  FROM generate_series(1, " +
      std::to_string(count) + ") n) s ORDER BY n");
  }
  // Every burst reply arrived exactly once, and each customer's in the order written.
  void ExpectEachOnceInOrder(int count) {
    ASSERT_TRUE(WaitFor(
        [&] {
          return Q("SELECT count(*) FROM outbox WHERE status = 'sent'") == std::to_string(count);
        },
        std::chrono::seconds(120)))
        << Q("SELECT string_agg(status || ':' || count, ' ') FROM (SELECT status, count(*) FROM "
             "outbox GROUP BY status) s");
    const json sent = Get("/sandbox/messages");
    std::map<int, int> times;
    std::map<std::string, int> last;  // recipient → newest burst number seen
    for (const auto& m : sent) {
      const std::string body = m["payload"]["text"]["body"];
      const int n = std::stoi(body.substr(6));
      ++times[n];
      const std::string to = m["to"];
      EXPECT_GT(n, last[to]) << "to " << to << ": burst " << n << " after " << last[to];
      last[to] = n;
    }
    EXPECT_EQ(times.size(), static_cast<size_t>(count));
    for (const auto& [n, k] : times) EXPECT_EQ(k, 1) << "burst " << n;
  }
  int Stat(const json& stats, const std::string& prefix) const {
    int total = 0;
    for (const auto& [key, value] : stats.items()) {
      if (key.rfind(prefix, 0) == 0) total += value.get<int>();
    }
    return total;
  }
  testing::RunResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    return testing::RunProgram(args);
  }

  testing::Deployment deployment_;
};

TEST_F(OutboundE2eTest, ABurstOf500RepliesKeepsMetasLimitsExactlyOnceAndInOrder) {
  QueueBurst(500, 50);
  ExpectEachOnceInOrder(500);
  const json stats = Get("/sandbox/stats");
  EXPECT_EQ(stats.value("accepted", 0), 500) << stats.dump();
  EXPECT_EQ(Stat(stats, "limited."), 0) << "no 130429 or 131056 from Meta: " << stats.dump();
}

TEST_F(OutboundE2eTest, WithOneSendInFiveFailingEveryReplyStillArrivesOnceAndInOrder) {
  Faults({{{"probability", 0.2}, {"codes", {130429, 131056, 131000, 500}}},
          {{"probability", 0.1}, {"delay_ms", 150}}});
  QueueBurst(500, 50);
  ExpectEachOnceInOrder(500);
  const json stats = Get("/sandbox/stats");
  EXPECT_GT(Stat(stats, "injected."), 50) << stats.dump();
  EXPECT_EQ(Stat(stats, "limited."), 0) << stats.dump();
  EXPECT_GT(std::stoi(Q("SELECT sum(attempts) FROM outbox")), 50) << "the failures were retried";
}

TEST_F(OutboundE2eTest, EachErrorClassTakesItsPathAndADeadLetterCanBeReplayed) {
  const std::string retried = "919600000001", undeliverable = "919600000002",
                    window = "919600000003";
  Faults({{{"to", retried}, {"code", 130429}, {"times", 2}},
          {{"to", undeliverable}, {"code", 131026}, {"times", 1}},
          {{"to", window}, {"code", 131047}, {"times", 1}}});
  auto queue = [&](const std::string& to, const std::string& body,
                   const std::string& fallback = "") {
    Q("INSERT INTO outbox (shop_id, recipient, payload, fallback) VALUES ((SELECT id FROM shops), "
      "'" +
      to + "', jsonb_build_object('messaging_product', 'whatsapp', 'to', '" + to +
      "', 'type', 'text', 'text', jsonb_build_object('body', '" + body + "')), " +
      (fallback.empty() ? "NULL" : "'" + fallback + "'::jsonb") + ")");
  };
  // The customer wrote recently: free-form first, and the template only when Meta says 131047.
  Q("INSERT INTO conversations (shop_id, customer, state, last_inbound_at) VALUES ((SELECT id FROM "
    "shops), '" +
    window + "', '{}', now())");
  const json tmpl = {{"messaging_product", "whatsapp"},
                     {"to", window},
                     {"type", "template"},
                     {"template", {{"name", "order_update"}, {"language", {{"code", "en"}}}}}};
  queue(retried, "after two rate limits");
  queue(undeliverable, "to a number not on WhatsApp");
  queue(window, "your order is packed", tmpl.dump());
  auto status_of = [&](const std::string& to) {
    return Q(
        "SELECT status || ':' || attempts || ':' || coalesce(error_code, 0) FROM outbox WHERE "
        "recipient = '" +
        to + "'");
  };
  ASSERT_TRUE(WaitFor([&] { return status_of(retried) == "sent:2:0"; })) << status_of(retried);
  ASSERT_TRUE(WaitFor([&] { return status_of(undeliverable) == "dead:1:131026"; }))
      << status_of(undeliverable);
  ASSERT_TRUE(WaitFor([&] { return status_of(window) == "sent:0:0"; })) << status_of(window);
  const json to_window = Get("/sandbox/messages?to=" + window);
  ASSERT_EQ(to_window.size(), 1u);
  EXPECT_EQ(to_window[0]["payload"]["type"], "template") << "the approved template went instead";

  // The dead letter: listed with Meta's code, replayed once its cause is gone, then delivered.
  auto list = Ctl({"dlq", "list", "--json"});
  ASSERT_EQ(list.status, 0) << list.output;
  const json dead = json::parse(list.output);
  ASSERT_EQ(dead.size(), 1u) << list.output;
  EXPECT_EQ(dead[0]["code"], 131026);
  EXPECT_EQ(dead[0]["recipient"], undeliverable);
  const std::string id = dead[0]["id"];
  auto table = Ctl({"dlq", "list"});
  EXPECT_NE(table.output.find("131026"), std::string::npos) << table.output;
  auto show = Ctl({"dlq", "show", id});
  EXPECT_NE(show.output.find("to a number not on WhatsApp"), std::string::npos) << show.output;
  EXPECT_EQ(Ctl({"dlq", "replay", "outbox-999999"}).status, 1) << "no such dead letter";
  auto replay = Ctl({"dlq", "replay", id});
  ASSERT_EQ(replay.status, 0) << replay.output;
  ASSERT_TRUE(WaitFor([&] { return status_of(undeliverable) == "sent:0:0"; }))
      << status_of(undeliverable);
  EXPECT_EQ(json::parse(Ctl({"dlq", "list", "--json"}).output).size(), 0u);
  auto queues = Ctl({"queues"});
  ASSERT_EQ(queues.status, 0) << queues.output;
  EXPECT_NE(queues.output.find(".outbound.dead"), std::string::npos) << queues.output;

  // A token Meta refuses holds the shop's replies (no attempts burnt) until a new one is set.
  const std::string held = "919600000004", next = "919600000005";
  Faults({{{"code", 190}}});  // refused until the admin acts
  queue(held, "while the token is refused");
  queue(next, "also waits");
  ASSERT_TRUE(WaitFor([&] { return Q("SELECT credentials_ok FROM shops") == "f"; }));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // three hold periods
  EXPECT_EQ(status_of(held), "queued:0:0");
  EXPECT_EQ(status_of(next), "queued:0:0");
  EXPECT_LE(Stat(Get("/sandbox/stats"), "injected.190"), 2)
      << "each reply was tried at most once: a held shop's replies wait instead of retrying";
  ASSERT_TRUE(Sandbox().Delete("/sandbox/faults"));
  auto token = testing::RunProgram(
      {testing::Bin("chatshopctl"), "--config", deployment_.config_path(), "shop", "update",
       "--shop", testing::kShopNumberId, "--token-stdin", "--allow-plaintext-token"},
      "e2e-graph-token\n");
  ASSERT_EQ(token.status, 0) << token.output;
  ASSERT_TRUE(WaitFor([&] {
    return status_of(held) == "sent:0:0" && status_of(next) == "sent:0:0";
  })) << status_of(held)
      << " " << status_of(next);
}

// Meta's error text can be any length: the dead letter's reason header is cut (whole UTF-8
// characters, 200 bytes at most) so the broker takes it, and the queue moves on.
TEST_F(OutboundE2eTest, AGraphErrorOf5000BytesEndsInTheDeadLetterQueueWithACutReason) {
  const std::string refused = "919600000030", next = "919600000031";
  std::string long_message = "(#131026) ";
  while (long_message.size() < 5000) long_message += "संदेश नहीं पहुँचा — message undeliverable. ";
  Faults({{{"to", refused}, {"code", 131026}, {"times", 1}, {"message", long_message}}});
  for (const auto& to : {refused, next, refused}) {
    Q("INSERT INTO outbox (shop_id, recipient, payload) VALUES ((SELECT id FROM shops), '" +
      std::string(to) + "', jsonb_build_object('messaging_product', 'whatsapp', 'to', '" + to +
      "', 'type', 'text', 'text', jsonb_build_object('body', 'to " + to + "')))");
  }
  ASSERT_TRUE(
      WaitFor([&] { return Q("SELECT count(*) FROM outbox WHERE status = 'sent'") == "2"; }))
      << Q("SELECT string_agg(id || ':' || status || ':' || coalesce(left(last_error, 60), ''), ' "
           "') FROM outbox");
  EXPECT_EQ(Q("SELECT status || ':' || error_code FROM outbox ORDER BY id LIMIT 1"), "dead:131026");
  EXPECT_GT(std::stoi(Q("SELECT length(last_error) FROM outbox ORDER BY id LIMIT 1")), 2000)
      << "the row keeps Meta's whole text";
  auto list = Ctl({"dlq", "list", "--json"});
  ASSERT_EQ(list.status, 0) << list.output;
  const json dead = json::parse(list.output);
  ASSERT_EQ(dead.size(), 1u) << list.output;
  EXPECT_EQ(dead[0]["code"], 131026);
  const std::string reason = dead[0]["reason"];
  EXPECT_LE(reason.size(), 200u);
  EXPECT_GE(reason.size(), 150u);
  EXPECT_EQ(reason.rfind("graph api error 131026: (#131026) संदेश", 0), 0u) << reason;
  EXPECT_EQ(reason.substr(reason.size() - 3), "…") << reason;
  EXPECT_NO_THROW(json(reason).dump()) << "valid UTF-8: no character was split";
}

// An order notice that can never be delivered (here Meta refuses it at once; a "failed" status
// webhook takes the same way) is reported to the shop's owners.
TEST_F(OutboundE2eTest, AnUndeliverableOrderNoticeIsReportedToTheOwners) {
  const std::string owner = "919800000001", customer = "919600000010";
  ASSERT_EQ(Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", owner}).status, 0);
  Faults({{{"to", customer}, {"code", 131026}}});
  Q("INSERT INTO outbox (shop_id, recipient, payload, notice_order, notice_kind) VALUES ((SELECT "
    "id FROM shops), '" +
    customer + "', jsonb_build_object('messaging_product', 'whatsapp', 'to', '" + customer +
    "', 'type', 'text', 'text', jsonb_build_object('body', 'Order #1001 is packed.')), 1001, "
    "'packed')");
  ASSERT_TRUE(WaitFor([&] { return Get("/sandbox/messages?to=" + owner).size() == 1; }));
  const std::string report = Get("/sandbox/messages?to=" + owner)[0]["payload"]["text"]["body"];
  EXPECT_NE(report.find("*order #1001* could not be delivered to +" + customer), std::string::npos)
      << report;
  EXPECT_NE(report.find("131026"), std::string::npos) << report;
  EXPECT_EQ(Q("SELECT status FROM outbox WHERE recipient = '" + customer + "'"), "dead");
}

// Meta has no idempotency key: a send that timed out after the request went out may have
// arrived. It is not sent again before its status webhook, which echoes the reply's
// biz_opaque_callback_data, had time to say so — and then it is not sent again at all.
TEST_F(OutboundE2eTest, ASendWhoseAnswerWasLostIsNotSentTwice) {
  ASSERT_EQ(deployment_.Stop("worker"), 0);
  deployment_.StartAs(
      "worker", "worker", {},
      {"CHATSHOP_WHATSAPP_REQUEST_TIMEOUT_MS=500", "CHATSHOP_SENDER_UNCERTAIN_WAIT_MS=3000"});
  const std::string slow = "919600000009";
  Faults({{{"to", slow}, {"delay_ms", 1500}, {"times", 1}}});  // answers after the sender gave up
  Q("INSERT INTO outbox (shop_id, recipient, payload) VALUES ((SELECT id FROM shops), '" + slow +
    "', jsonb_build_object('messaging_product', 'whatsapp', 'to', '" + slow +
    "', 'type', 'text', 'text', jsonb_build_object('body', 'answered slowly')))");
  ASSERT_TRUE(WaitFor([&] { return Q("SELECT status FROM outbox") == "sent"; }))
      << Q("SELECT status || ' ' || attempts || ' ' || coalesce(last_error, '') FROM outbox");
  EXPECT_EQ(Q("SELECT attempts FROM outbox"), "1") << "the timeout was counted";
  EXPECT_EQ(Q("SELECT wamid = (SELECT wamid FROM message_status LIMIT 1) FROM outbox"), "t")
      << "the status webhook named the wamid the lost answer carried";
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the retry comes back, finds it sent
  EXPECT_EQ(Get("/sandbox/messages?to=" + slow).size(), 1u) << "sent exactly once";
  EXPECT_EQ(Get("/sandbox/stats").value("accepted", 0), 1);
}

TEST_F(OutboundE2eTest, DeliveryStatusWebhooksAreKeptAndTheSenderReportsMetrics) {
  // A worker that serves /metrics.
  ASSERT_EQ(deployment_.Stop("worker"), 0);
  const int port = testing::FreePort();
  deployment_.StartAs("worker", "worker", {},
                      {"CHATSHOP_WORKER_METRICS_LISTEN=127.0.0.1:" + std::to_string(port)});
  // The shop's own throughput, when Meta raised its tier.
  EXPECT_EQ(Ctl({"shop", "set", "--shop", testing::kShopNumberId, "--messages-per-second", "fast"})
                .status,
            1);
  ASSERT_EQ(Ctl({"shop", "set", "--shop", testing::kShopNumberId, "--messages-per-second", "1000"})
                .status,
            0);
  EXPECT_EQ(Q("SELECT messages_per_second FROM shops"), "1000");
  Faults({{{"code", 130429}, {"times", 1}}});
  QueueBurst(3, 0);
  ASSERT_TRUE(WaitFor([&] {
    return Q("SELECT count(*) FROM message_status WHERE status = 'read'") == "3";
  })) << "the sandbox reports sent, delivered and read for each";
  EXPECT_EQ(Q("SELECT count(*) FROM message_status m JOIN outbox o ON o.wamid = m.wamid"), "3");
  httplib::Client worker("127.0.0.1", port);
  auto metrics = worker.Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find(R"(chatshop_sender_sends_total{result="sent",code="0"} 3)"),
            std::string::npos)
      << metrics->body.substr(0, 3000);
  EXPECT_NE(metrics->body.find(R"(chatshop_sender_sends_total{result="retry",code="130429"} 1)"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("chatshop_sender_queue_age_seconds_count 3"), std::string::npos);
  EXPECT_NE(metrics->body.find("chatshop_inbound_statuses_total 9"), std::string::npos);
}

}  // namespace
}  // namespace chatshop
