// Money and approvals on the real servers: checkout prices from PostgreSQL whatever Redis has
// cached, Redis reached with a password (a throwaway redis-server of this test's own), owner
// buttons that cannot be replayed, and media downloads that keep the token to Meta's hosts.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "infra/graph_api_client.h"
#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_proof_store.h"
#include "infra/pg_shop_directory.h"
#include "infra/redis_cache.h"
#include "integration/fixtures.h"
#include "orders/catalog.h"
#include "orders/catalog_service.h"
#include "service/inbound_processor.h"
#include "support/process.h"
#include "support/stack.h"

namespace chatshop {
namespace {

using nlohmann::json;

constexpr const char* kShop = "106540352242922";
constexpr const char* kOwner = "919800000001";

class MoneyAndApprovalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::AddFixtureShop(schema_.url(), shop_id_));
    ASSERT_NO_FATAL_FAILURE(testing::ImportKiranaCatalog(schema_.url(), shop_id_));
    ASSERT_NO_FATAL_FAILURE(testing::LoadWorkerTemplates(templates_));
  }

  static whatsapp::InboundEvent Message(const std::string& from, const std::string& wamid,
                                        const std::string& type, json data) {
    whatsapp::InboundEvent e;
    e.phone_number_id = kShop;
    e.customer = from;
    e.id = wamid;
    e.timestamp = 1785900000;
    e.type = type;
    e.data = data;
    e.raw = {{"from", from}, {"id", wamid}, {"type", type}, {type, data}};
    return e;
  }
  static whatsapp::InboundEvent Text(const std::string& from, const std::string& wamid,
                                     const std::string& body) {
    return Message(from, wamid, "text", {{"body", body}});
  }
  static whatsapp::InboundEvent Tap(const std::string& from, const std::string& wamid,
                                    const std::string& id) {
    return Message(from, wamid, "interactive",
                   {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", "x"}}}});
  }
  static whatsapp::InboundEvent Pick(const std::string& from, const std::string& wamid,
                                     const std::string& id) {
    return Message(from, wamid, "interactive",
                   {{"type", "list_reply"}, {"list_reply", {{"id", id}, {"title", "x"}}}});
  }

  struct Worker {
    Worker(const std::string& url, const std::string& redis_prefix,
           const common::TemplateSet& templates, common::MetricsRegistry& m)
        : store(url),
          catalogs(url, {{testing::StackConfig().redis.url, {}, {}}, redis_prefix, 300}),
          processor(store, &catalogs, templates, m) {}
    infra::PgInboundStore store;
    testing::CachedCatalogs catalogs;
    service::InboundProcessor processor;
  };
  void Handle(Worker& worker, const whatsapp::InboundEvent& event) {
    ASSERT_EQ(worker.processor.Handle(event).disposition, service::Disposition::kAck) << event.id;
  }
  std::string Q(const std::string& sql) { return schema_.QueryValue(sql); }
  // The newest reply queued for `to`: its text, or an interactive message's body.
  json LastTo(const std::string& to) {
    return json::parse(Q("SELECT payload::text FROM outbox WHERE recipient = '" + to +
                         "' ORDER BY id DESC LIMIT 1"));
  }
  static std::string BodyOf(const json& payload) {
    if (payload.value("type", "") == "text") return payload["text"]["body"];
    return payload["interactive"]["body"]["text"];
  }

  testing::TestSchema schema_;
  int64_t shop_id_ = 0;
  std::unique_ptr<common::TemplateSet> templates_;
  common::MetricsRegistry metrics_;
  std::string redis_prefix_ = testing::UniqueName("money");
};

TEST_F(MoneyAndApprovalsTest, CheckoutPricesEveryLineFromPostgresNotFromAStaleCache) {
  Worker worker(schema_.url(), redis_prefix_, *templates_, metrics_);
  const std::string customer = "919855555555";
  Handle(worker, Text(customer, "wamid.p1", "2 maggi, 1 paneer"));
  ASSERT_NE(BodyOf(LastTo(customer)).find("₹14.00"), std::string::npos) << BodyOf(LastTo(customer));

  // The price goes up in the database behind the cache's back (another process, a manual
  // UPDATE): the cached copy still says ₹14.00.
  Q("UPDATE products SET price_minor = 1900 WHERE sku = 'MAGGI-70'");
  auto cached = worker.catalogs.cache().Get(shop_id_);
  ASSERT_TRUE(cached);
  ASSERT_TRUE(cached->has_value()) << "the cart's reply filled the cache";
  ASSERT_EQ((*cached)->catalog.Find("MAGGI-70")->price.minor, 1400) << "the cache is stale";

  Handle(worker, Tap(customer, "wamid.p2", "cart:checkout"));
  ASSERT_EQ(Q("SELECT status FROM orders"), "awaiting_payment");
  EXPECT_EQ(
      Q("SELECT string_agg((l->>'sku') || ' ' || (l->>'qty') || ' x ' || (l->>'unit_price'), ', ' "
        "ORDER BY l->>'sku') FROM orders, jsonb_array_elements(lines) l"),
      "MAGGI-70 2 x 1900, PANEER-200 1 x 9000")
      << "every line at the database's price";
  const std::string delivery = Q("SELECT delivery_minor FROM orders");
  EXPECT_EQ(Q("SELECT subtotal_minor FROM orders"), "12800");
  EXPECT_EQ(Q("SELECT total_minor FROM orders"), std::to_string(12800 + std::stoll(delivery)));
  // The payment request asks for what the order says, not what the stale bill said.
  const std::string request = BodyOf(LastTo(customer));
  EXPECT_NE(request.find("2 × Maggi 2-Minute Noodles 70g = ₹38.00"), std::string::npos) << request;
  const std::string total_minor = Q("SELECT total_minor FROM orders");
  const std::string rupees = std::to_string(std::stoll(total_minor) / 100) + "." +
                             total_minor.substr(total_minor.size() - 2);
  EXPECT_NE(request.find("am=" + rupees + "&"), std::string::npos) << request;
  ASSERT_TRUE(worker.catalogs.cache().Invalidate(shop_id_));
}

TEST_F(MoneyAndApprovalsTest, ApproveAfterARejectOnTheSameNoticeDoesNotConfirm) {
  Worker worker(schema_.url(), redis_prefix_, *templates_, metrics_);
  const std::string customer = "919866666666";
  Handle(worker, Text(customer, "wamid.n1", "2 maggi"));
  Handle(worker, Tap(customer, "wamid.n2", "cart:checkout"));
  Handle(worker,
         Message(customer, "wamid.n3", "image", {{"id", "MEDIA-N"}, {"mime_type", "image/jpeg"}}));
  ASSERT_EQ(Q("SELECT status FROM orders"), "payment_review");
  // The buttons of the notice the owner got for this proof.
  const std::string id = Q("SELECT id FROM orders");
  const std::string notice_nonce = Q("SELECT nonce FROM orders");
  const std::string approve = "own:approve:" + id + ":" + notice_nonce;
  const std::string reject = "own:reject:" + id + ":" + notice_nonce + ":amount";

  Handle(worker, Pick(kOwner, "wamid.n4", reject));
  ASSERT_EQ(Q("SELECT status FROM orders"), "awaiting_payment");
  EXPECT_NE(Q("SELECT nonce FROM orders"), notice_nonce) << "a status change renews the nonce";

  // Approve on the same notice: refused, with a clear reply and today's buttons.
  Handle(worker, Tap(kOwner, "wamid.n5", approve));
  EXPECT_EQ(Q("SELECT status FROM orders"), "awaiting_payment") << "not confirmed";
  EXPECT_EQ(Q("SELECT count(*) FROM order_events WHERE to_status = 'confirmed'"), "0");
  const json refusal = LastTo(kOwner);
  EXPECT_NE(BodyOf(refusal).find("This button is from an older notice of *order #" +
                                 Q("SELECT number FROM orders") + "*"),
            std::string::npos)
      << BodyOf(refusal);
  EXPECT_EQ(refusal["type"], "text") << "awaiting payment: no owner button to offer";

  // The customer pays again: the old notice stays dead, and so does an empty nonce.
  Handle(worker,
         Message(customer, "wamid.n6", "image", {{"id", "MEDIA-N2"}, {"mime_type", "image/jpeg"}}));
  ASSERT_EQ(Q("SELECT status FROM orders"), "payment_review");
  Handle(worker, Tap(kOwner, "wamid.n7", approve));
  Handle(worker, Tap(kOwner, "wamid.n8", "own:approve:" + id + ":"));
  EXPECT_EQ(Q("SELECT status FROM orders"), "payment_review");
  const json stale = LastTo(kOwner);
  EXPECT_NE(BodyOf(stale).find("older notice"), std::string::npos);
  EXPECT_NE(stale.dump().find("own:approve:" + id + ":" + Q("SELECT nonce FROM orders")),
            std::string::npos)
      << "the reply's buttons carry the present nonce: " << stale.dump();

  // Today's button works, once; replaying it is refused as stale.
  const std::string fresh = "own:approve:" + id + ":" + Q("SELECT nonce FROM orders");
  Handle(worker, Tap(kOwner, "wamid.n9", fresh));
  EXPECT_EQ(Q("SELECT status FROM orders"), "confirmed");
  Handle(worker, Tap(kOwner, "wamid.n10", fresh));
  EXPECT_EQ(Q("SELECT count(*) FROM order_events WHERE to_status = 'confirmed'"), "1");
  EXPECT_NE(BodyOf(LastTo(kOwner)).find("older notice"), std::string::npos);
  // Typed commands name the order and need no nonce.
  Handle(worker, Text(kOwner, "wamid.n11", "packed " + Q("SELECT number FROM orders")));
  EXPECT_EQ(Q("SELECT status FROM orders"), "packed");
}

TEST_F(MoneyAndApprovalsTest, AProofThatIsNotAPictureSendsTheOrderBackToAwaitingPayment) {
  Worker worker(schema_.url(), redis_prefix_, *templates_, metrics_);
  const std::string customer = "919877777777";
  Handle(worker, Text(customer, "wamid.f1", "2 maggi"));
  Handle(worker, Tap(customer, "wamid.f2", "cart:checkout"));
  Handle(worker,
         Message(customer, "wamid.f3", "image", {{"id", "MEDIA-F"}, {"mime_type", "image/jpeg"}}));
  ASSERT_EQ(Q("SELECT status FROM orders"), "payment_review");
  const std::string nonce = Q("SELECT nonce FROM orders");

  infra::PgProofStore proofs(schema_.url());
  auto jobs = proofs.ClaimDue(4, std::chrono::seconds(60));
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  int asked = 0;
  ASSERT_TRUE(proofs.Refuse((*jobs)[0], "not a JPEG, PNG, WebP or PDF file", 30,
                            [&](const orders::OrderView& order) {
                              ++asked;
                              EXPECT_EQ(order.status, orders::OrderStatus::kAwaitingPayment);
                              return std::vector<json>{{{"messaging_product", "whatsapp"},
                                                        {"to", order.customer},
                                                        {"type", "text"},
                                                        {"text", {{"body", "refused"}}}}};
                            }));
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(Q("SELECT status FROM orders"), "awaiting_payment");
  EXPECT_EQ(Q("SELECT expires_at > now() + interval '29 minutes' FROM orders"), "t") << "renewed";
  EXPECT_NE(Q("SELECT nonce FROM orders"), nonce);
  EXPECT_EQ(Q("SELECT status || ' ' || last_error FROM payment_proofs"),
            "refused not a JPEG, PNG, WebP or PDF file");
  EXPECT_EQ(Q("SELECT actor || ':' || from_status || '>' || to_status FROM order_events ORDER BY "
              "id DESC LIMIT 1"),
            "system:payment_review>awaiting_payment");
  EXPECT_EQ(BodyOf(LastTo(customer)), "refused");
  // Once: the same job again changes nothing.
  ASSERT_TRUE(proofs.Refuse((*jobs)[0], "again", 30, [&](const orders::OrderView&) {
    ++asked;
    return std::vector<json>{};
  }));
  EXPECT_EQ(asked, 1);
}

// Where redis-server is (ChildProcess wants a path, not a name to look up).
std::string RedisServerPath() {
  auto found = testing::RunProgram({"/bin/sh", "-c", "command -v redis-server"});
  std::string path = found.output.substr(0, found.output.find('\n'));
  return path.empty() ? "/usr/bin/redis-server" : path;
}

// A redis-server of this test's own, with a password (and an ACL user), on a free port; killed
// at the end.
class PasswordRedis {
 public:
  PasswordRedis()
      : port_(testing::FreePort()),
        server_({RedisServerPath(), "--port", std::to_string(port_), "--bind", "127.0.0.1",
                 "--requirepass", kPassword, "--save", "", "--appendonly", "no", "--user",
                 "shopuser", "on", std::string(">") + kUserPassword, "~*", "&*", "+@all"},
                ::testing::TempDir() + "/password_redis_" + std::to_string(port_) + ".log") {}
  static constexpr const char* kPassword = "s3cret-red1s-pw";
  static constexpr const char* kUserPassword = "us3r-pw";
  std::string Url(const std::string& userinfo, int db = 0) const {
    return "redis://" + userinfo + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
  }
  // Waits until it answers (with the password): what the tests depend on.
  bool Ready() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && server_.running()) {
      if (infra::PingRedis(Url(std::string(":") + kPassword + "@"))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  int port_;
  testing::ChildProcess server_;
};

TEST(RedisPasswordTest, AuthWithAPasswordOrAUserAndNeverTheSecretInAnError) {
  PasswordRedis redis;
  ASSERT_TRUE(redis.Ready()) << "redis-server did not start";

  // The default user's password, and an ACL user's, both work for the cache.
  for (const std::string& userinfo :
       {std::string(":") + PasswordRedis::kPassword + "@",
        std::string("shopuser:") + PasswordRedis::kUserPassword + "@"}) {
    infra::RedisCatalogCache cache(
        {{redis.Url(userinfo, 1), {}, {}}, testing::UniqueName("pw"), 60});
    orders::Catalog catalog;
    catalog.products.push_back(
        {"ATTA-5", "Atta 5kg", orders::Money{28900}, 4, "pack", "staples", {}});
    ASSERT_TRUE(cache.Put(42, {catalog, 3})) << userinfo;
    auto got = cache.Get(42);
    ASSERT_TRUE(got) << got.error().message;
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->catalog.products[0].price.minor, 28900);
    EXPECT_EQ((*got)->version, 3);
    EXPECT_TRUE(cache.Invalidate(42));
  }

  // Without the password, or a wrong one: refused, and the message says what to do without
  // quoting any password.
  auto none = infra::PingRedis(redis.Url(""));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("redis wants a password"), std::string::npos)
      << none.error().message;
  auto none_db = infra::OpenRedis(redis.Url("", 2));
  ASSERT_FALSE(none_db);
  EXPECT_NE(none_db.error().message.find("redis wants a password"), std::string::npos);
  for (const std::string& userinfo :
       {std::string(":wrong-guess-pw@"), std::string("shopuser:wrong-guess-pw@"),
        std::string("nobody:") + PasswordRedis::kPassword + "@"}) {
    auto wrong = infra::PingRedis(redis.Url(userinfo));
    ASSERT_FALSE(wrong) << userinfo;
    EXPECT_EQ(wrong.error().message, "redis refused the user or password of [redis] url (AUTH)");
    EXPECT_EQ(wrong.error().ToString().find("wrong-guess-pw"), std::string::npos);
    EXPECT_EQ(wrong.error().ToString().find(PasswordRedis::kPassword), std::string::npos);
  }
  // rediss:// cannot work with this hiredis: a clear error, no connection attempted.
  auto tls =
      infra::PingRedis("rediss://:" + std::string(PasswordRedis::kPassword) + "@127.0.0.1:1/0");
  ASSERT_FALSE(tls);
  EXPECT_EQ(tls.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(tls.error().message.find("rediss:// (Redis over TLS) is not supported"),
            std::string::npos);
  EXPECT_EQ(tls.error().message.find(PasswordRedis::kPassword), std::string::npos);
}

// A tiny HTTP server that records the Authorization header of every request it gets.
class RecordingServer {
 public:
  RecordingServer() : port_(testing::FreePort()) {
    server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(req.path + " auth=" + req.get_header_value("Authorization"));
      }
      if (auto it = redirects_.find(req.path); it != redirects_.end()) {
        res.status = 302;
        res.set_header("Location", it->second);
        return;
      }
      if (auto it = media_.find(req.path); it != media_.end()) {
        res.set_content(it->second.dump(), "application/json");
        return;
      }
      res.set_content("%PDF-1.7 proof bytes", "application/pdf");
    });
    thread_ = std::thread([this] { server_.listen("127.0.0.1", port_); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~RecordingServer() {
    server_.stop();
    thread_.join();
  }
  std::string Origin(const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_);
  }
  std::vector<std::string> Seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::map<std::string, std::string> redirects_;  // path → Location; set before requests
  std::map<std::string, json> media_;             // path → GET /{media-id} answer

 private:
  int port_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> seen_;
};

TEST(MediaHostsTest, TheTokenGoesOnlyToTheGraphApiAndTheMediaHosts) {
  RecordingServer graph, foreign;
  foreign.redirects_["/hop"] = graph.Origin() + "/file";  // would bounce back home
  graph.media_["/v24.0/MEDIA-1"] = {{"url", foreign.Origin() + "/steal?mid=1"},
                                    {"mime_type", "application/pdf"}};
  graph.redirects_["/to-foreign"] = foreign.Origin() + "/loot";
  graph.redirects_["/to-alias"] = foreign.Origin("localhost") + "/file";
  graph.redirects_["/relative"] = "/file";
  infra::GraphApiClient client({graph.Origin(), "v24.0", 2000, {"localhost"}});

  // The Graph API's own origin: the token is sent (a positive control for what follows).
  auto home = client.Download("TOKEN-1", graph.Origin() + "/file", 1 << 20);
  ASSERT_TRUE(home) << home.error().message;
  EXPECT_EQ(*home, "%PDF-1.7 proof bytes");
  EXPECT_EQ(graph.Seen().back(), "/file auth=Bearer TOKEN-1");

  // The media URL Meta (here: someone) answered is on a foreign host: refused, no request.
  auto info = client.GetMedia(kShop, "TOKEN-1", "MEDIA-1");
  ASSERT_TRUE(info) << info.error().message;
  auto stolen = client.Download("TOKEN-1", info->url, 1 << 20);
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().code, ErrorCode::kFailedPrecondition) << "final: never retried";
  EXPECT_NE(stolen.error().message.find("not the Graph API's nor on [whatsapp] media_hosts"),
            std::string::npos)
      << stolen.error().message;
  EXPECT_EQ(stolen.error().message.find("TOKEN-1"), std::string::npos);
  EXPECT_TRUE(foreign.Seen().empty()) << "not a single request to the foreign host";

  // A redirect to a foreign host is not followed at all.
  const size_t before = graph.Seen().size();
  auto redirected = client.Download("TOKEN-1", graph.Origin() + "/to-foreign", 1 << 20);
  ASSERT_FALSE(redirected);
  EXPECT_NE(redirected.error().message.find("redirect"), std::string::npos);
  EXPECT_TRUE(foreign.Seen().empty());
  EXPECT_EQ(graph.Seen().size(), before + 1);

  // A redirect to an allowed host is followed, without the token.
  auto aliased = client.Download("TOKEN-1", graph.Origin() + "/to-alias", 1 << 20);
  ASSERT_TRUE(aliased) << aliased.error().message;
  EXPECT_EQ(*aliased, "%PDF-1.7 proof bytes");
  ASSERT_EQ(foreign.Seen().size(), 1u);
  EXPECT_EQ(foreign.Seen()[0], "/file auth=") << "the token never follows a redirect";
  auto relative = client.Download("TOKEN-1", graph.Origin() + "/relative", 1 << 20);
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(graph.Seen().back(), "/file auth=") << "not even back to the same host";

  // Plain http to a host that is not loopback is refused before any connection.
  infra::GraphApiClient meta(
      {"https://graph.facebook.com", "v24.0", 2000, {"lookaside.fbsbx.com", "*.fbcdn.net"}});
  auto http = meta.Download(
      "TOKEN-1", "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", 1 << 20);
  ASSERT_FALSE(http);
  EXPECT_NE(http.error().message.find("is not https"), std::string::npos) << http.error().message;
  for (const char* url :
       {"https://lookaside.fbsbx.com.evil.example/x", "https://fbcdn.net.evil.example/x",
        "https://evil.example/?u=https://lookaside.fbsbx.com/", "ftp://lookaside.fbsbx.com/x",
        "https://user:pw@lookaside.fbsbx.com/x"}) {
    auto refused = meta.Download("TOKEN-1", url, 1 << 20);
    ASSERT_FALSE(refused) << url;
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition) << url;
  }
}

}  // namespace
}  // namespace chatshop
