// The scale-out topology of `scripts/cluster up` (issue 15), tested from outside like a user
// sees it: nginx over TLS in front of three gateways, Patroni's primary and replica, Redis with
// Sentinel, a three-node RabbitMQ cluster. The cluster must be up; `scripts/test` brings it up
// for the `cluster` label. Its addresses come from .cluster/cluster.env, written by `up`.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/config.h"
#include "support/deployment.h"
#include "webhook/signature.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::BodyText;
using testing::ButtonIds;
using testing::Has;
using testing::WaitFor;

constexpr const char* kOwner = "919800000001";

// KEY=VALUE lines of .cluster/cluster.env.
class ClusterEnv {
 public:
  ClusterEnv() {
    const char* path = std::getenv("CHATSHOP_CLUSTER_ENV");
    path_ = path != nullptr ? path : std::string(CHATSHOP_SOURCE_DIR) + "/.cluster/cluster.env";
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
      vars_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  bool loaded() const { return !vars_.empty(); }
  const std::string& path() const { return path_; }
  std::string Get(const std::string& key) const {
    auto it = vars_.find(key);
    EXPECT_NE(it, vars_.end()) << key << " missing from " << path_;
    return it == vars_.end() ? "" : it->second;
  }
  int Port(const std::string& key) const { return std::atoi(Get(key).c_str()); }
  std::vector<std::string> List(const std::string& key) const {
    std::vector<std::string> items;
    std::stringstream in(Get(key));
    std::string item;
    while (std::getline(in, item, ',')) items.push_back(item);
    return items;
  }

 private:
  std::string path_;
  std::map<std::string, std::string> vars_;
};

std::string Query(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  auto rows = tx.exec(sql);
  if (rows.empty() || rows[0][0].is_null()) return "";
  return rows[0][0].as<std::string>();
}

// The sum of a counter's samples whose line starts with `series` (a name with or without
// labels), from a Prometheus text page.
double CounterSum(int admin_port, const std::string& series) {
  httplib::Client client("127.0.0.1", admin_port);
  client.set_connection_timeout(2);
  auto page = client.Get("/metrics");
  if (!page || page->status != 200) return -1;
  std::istringstream in(page->body);
  std::string line;
  double sum = 0;
  while (std::getline(in, line)) {
    if (line.rfind(series, 0) != 0) continue;
    const char next = line.size() > series.size() ? line[series.size()] : ' ';
    if (next != ' ' && next != '{' && next != ',' && series.back() != ',') continue;
    sum += std::atof(line.substr(line.rfind(' ') + 1).c_str());
  }
  return sum;
}

std::string RandomCustomer() {
  std::random_device seed;
  std::mt19937_64 rng(seed());
  return "91987" + std::to_string(1000000 + rng() % 9000000);
}

class ClusterTest : public ::testing::Test {
 public:
  testing::RunResult Cluster(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {std::string(CHATSHOP_SOURCE_DIR) + "/scripts/cluster"};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProgram(argv);
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.loaded()) << env_.path() << " not found: run `scripts/cluster up` first";
    auto loaded = common::LoadConfigFile(env_.Get("CHATSHOP_CLUSTER_CTL_CONFIG"),
                                         common::ProcessEnvironment());
    ASSERT_TRUE(loaded) << (loaded ? "" : loaded.error().front());
    config_ = *loaded;
    Ctl({"catalog", "import", "--shop", testing::kShopNumberId,
         std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"});
    Ctl({"shop", "set", "--shop", testing::kShopNumberId, "--upi-vpa", "sharmakirana@okaxis"});
    // Already an owner after the first run: either answer will do, the list says.
    (void)Run({"owner", "add", "--shop", testing::kShopNumberId, "--phone", kOwner, "--name",
               "Mr Sharma"});
    auto owners = Run({"owner", "list", "--shop", testing::kShopNumberId});
    ASSERT_TRUE(Has(owners.output, kOwner)) << owners.output;
  }

  testing::RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(),
                {testing::Bin("chatshopctl"), "--config", env_.Get("CHATSHOP_CLUSTER_CTL_CONFIG")});
    return testing::RunProgram(args);
  }
  void Ctl(std::vector<std::string> args) {
    auto run = Run(args);
    ASSERT_EQ(run.status, 0) << run.output;
  }
  int SandboxPort() const { return env_.Port("CHATSHOP_CLUSTER_SANDBOX_PORT"); }

  // Webhook POSTs each gateway accepted, by its own metrics.
  std::vector<double> AcceptedPerGateway() {
    std::vector<double> counts;
    for (const auto& port : env_.List("CHATSHOP_CLUSTER_GATEWAY_ADMIN_PORTS")) {
      counts.push_back(CounterSum(std::atoi(port.c_str()),
                                  "chatshop_webhook_requests_total{outcome=\"accepted\"}"));
    }
    return counts;
  }

  // POSTs `body`, signed, to the webhook through nginx over TLS; returns the status (0: no
  // answer).
  int PostThroughNginx(const std::string& body) {
    httplib::SSLClient client("127.0.0.1", env_.Port("CHATSHOP_CLUSTER_HTTPS_PORT"));
    client.set_ca_cert_path(env_.Get("CHATSHOP_CLUSTER_CA_FILE").c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Headers headers = {
        {"X-Hub-Signature-256", webhook::SignatureHeader(config_.whatsapp.app_secret, body)}};
    auto response = client.Post("/webhook", headers, body, "application/json");
    return response ? response->status : 0;
  }

  std::string Button(const std::string& verb, const std::string& number) {
    const std::string& url = config_.postgres.url;
    const std::string where =
        " FROM orders o JOIN shops s ON s.id = o.shop_id WHERE number = " + number +
        " AND s.phone_number_id = '" + testing::kShopNumberId + "'";
    return "v2:own:" + verb + ":" + Query(url, "SELECT o.id" + where) + ":" +
           Query(url, "SELECT o.nonce" + where);
  }

  ClusterEnv env_;
  common::Config config_;
};

TEST_F(ClusterTest, AWholeOrderThroughNginxOverTlsIsSpreadOverTheThreeGateways) {
  const std::vector<double> before = AcceptedPerGateway();
  ASSERT_EQ(before.size(), 3u);
  for (double count : before) ASSERT_GE(count, 0) << "a gateway's /metrics did not answer";

  testing::SandboxCustomer customer(SandboxPort(), RandomCustomer());
  testing::SandboxCustomer owner(SandboxPort(), kOwner, "Mr Sharma");
  const size_t owner_before = owner.Replies().size();
  customer.Says("2 maggi, 1 atta");
  json said = customer.WaitForReplies(1);
  EXPECT_TRUE(Has(BodyText(said[0]["payload"]), "2 × Maggi 2-Minute Noodles 70g"))
      << BodyText(said[0]["payload"]);
  customer.Taps("v2:cart:checkout");
  said = customer.WaitForReplies(2);
  const std::string request = BodyText(said[1]["payload"]);
  ASSERT_TRUE(Has(request, "is reserved for you")) << request;
  const std::string number =
      Query(config_.postgres.url,
            "SELECT max(number) FROM orders WHERE customer = '" + customer.wa_id() + "'");
  ASSERT_FALSE(number.empty());

  customer.SendsMedia("\x89PNG\r\n\x1a\ncluster payment of Rs 317", "image/png");
  said = customer.WaitForReplies(3);
  EXPECT_TRUE(Has(BodyText(said[2]["payload"]), "has gone to the shop for approval"));
  // The media worker kept the picture where every worker on every node can read it.
  json heard = owner.WaitForReplies(owner_before + 1);
  EXPECT_TRUE(Has(BodyText(heard.back()["payload"]), "Payment screenshot for *order #" + number))
      << BodyText(heard.back()["payload"]);

  const char* steps[][2] = {{"approve", "is approved"},
                            {"pack", "is packed"},
                            {"out", "is out for delivery"},
                            {"deliver", "is delivered"}};
  size_t owner_count = owner_before + 1, customer_count = 3;
  for (const auto& [verb, customer_reads] : steps) {
    owner.Taps(Button(verb, number));
    heard = owner.WaitForReplies(++owner_count);
    said = customer.WaitForReplies(++customer_count);
    ASSERT_TRUE(Has(BodyText(said.back()["payload"]), customer_reads))
        << verb << ": " << BodyText(said.back()["payload"]);
  }
  EXPECT_EQ(Query(config_.postgres.url,
                  "SELECT status FROM orders WHERE customer = '" + customer.wa_id() + "'"),
            "delivered");

  // Every webhook of it (the customer's and the owner's messages, the delivery statuses) went
  // through nginx, and least_conn dealt them over all three gateways.
  const std::vector<double> after = AcceptedPerGateway();
  double total = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_GT(after[i], before[i]) << "gateway " << i + 1 << " got no webhook";
    total += after[i] - before[i];
  }
  EXPECT_GE(total, 10) << "an order is at least ten webhooks";
}

TEST_F(ClusterTest, StaleTolerantReadsGoToTheReplicaAndAnOrderStillSeesThePrimarysStock) {
  const std::vector<std::string> pg_ports = env_.List("CHATSHOP_CLUSTER_PG_PORTS");
  ASSERT_EQ(pg_ports.size(), 2u);
  const std::string superuser = env_.Get("CHATSHOP_CLUSTER_PG_SUPERUSER");
  auto admin_url = [&](const std::string& port) {
    return "postgresql://" + superuser + "@127.0.0.1:" + port + "/chatshop?connect_timeout=3";
  };
  std::string replica;
  for (const auto& port : pg_ports) {
    if (Query(admin_url(port), "SELECT pg_is_in_recovery()") == "t") replica = admin_url(port);
  }
  ASSERT_FALSE(replica.empty()) << "no replica";
  const std::string commits_sql =
      "SELECT xact_commit FROM pg_stat_database WHERE datname = 'chatshop'";
  // Statistics reach pg_stat_database when a backend reports them (at the latest 1 s after
  // its transaction): poll.
  const long long replica_before = std::atoll(Query(replica, commits_sql).c_str());
  for (int i = 0; i < 5; ++i) Ctl({"catalog", "list", "--shop", testing::kShopNumberId});
  EXPECT_TRUE(WaitFor([&] {
    return std::atoll(Query(replica, commits_sql).c_str()) >= replica_before + 5;
  })) << "chatshopctl catalog list did not read from the replica";

  // Freeze the replica in the past, change stock on the primary, and order it at once: the
  // bot must not believe the replica's stale catalog.
  ASSERT_EQ(Query(replica, "SELECT pg_wal_replay_pause()::text"), "");
  struct Resume {
    std::string url;
    ~Resume() { Query(url, "SELECT pg_wal_replay_resume()::text"); }
  } resume{replica};
  // Warm the cache with the current catalog first, so the change must replace a cached copy.
  testing::SandboxCustomer warm(SandboxPort(), RandomCustomer());
  warm.Says("1 sona masoori rice");
  json warmed = warm.WaitForReplies(1);
  ASSERT_FALSE(Has(BodyText(warmed[0]["payload"]), "out of stock"))
      << BodyText(warmed[0]["payload"]);

  auto primary_loads = [&] {
    double sum = 0;
    for (const auto& port : env_.List("CHATSHOP_CLUSTER_BOT_METRICS_PORTS")) {
      sum +=
          CounterSum(std::atoi(port.c_str()), "chatshop_catalog_loads_total{source=\"primary\"}");
    }
    return sum;
  };
  const double primary_before = primary_loads();
  Ctl({"stock", "set", "--shop", testing::kShopNumberId, "RICE-SONA-5", "0"});
  testing::SandboxCustomer customer(SandboxPort(), RandomCustomer());
  customer.Says("1 sona masoori rice");
  json said = customer.WaitForReplies(1);
  EXPECT_TRUE(Has(BodyText(said[0]["payload"]), "Sona Masoori Rice 5kg is out of stock"))
      << BodyText(said[0]["payload"]);
  // The bot saw that the replica's copy was older than the shop's catalog version and loaded
  // the catalog from the primary instead.
  EXPECT_GT(primary_loads(), primary_before);
  // The replica really was behind while the bot answered.
  EXPECT_EQ(Query(replica,
                  "SELECT stock FROM products p JOIN shops s ON s.id = p.shop_id "
                  "WHERE sku = 'RICE-SONA-5' AND s.phone_number_id = '" +
                      std::string(testing::kShopNumberId) + "'"),
            "8");
}

TEST_F(ClusterTest, EveryQueueIsAQuorumQueueWithThreeMembers) {
  auto listed = Cluster({"rabbitmqctl", "1", "list_queues", "--quiet", "--no-table-headers", "name",
                         "type", "members"});
  ASSERT_EQ(listed.status, 0) << listed.output;
  std::istringstream in(listed.output);
  std::string line;
  int queues = 0;
  while (std::getline(in, line)) {
    if (line.rfind("chatshop.", 0) != 0) continue;
    ++queues;
    EXPECT_TRUE(Has(line, "\tquorum\t")) << line;
    size_t at_signs = 0;
    for (char c : line) at_signs += c == '@' ? 1 : 0;
    EXPECT_EQ(at_signs, 3u) << line;
  }
  // Inbound and outbound shards, the parked and dead-letter queues, the delay bands.
  EXPECT_GE(queues, 4 + 4 + 2) << listed.output;
}

TEST_F(ClusterTest, AGatewayStoppedByHandIsTakenOutAndWebhooksKeepGetting200) {
  std::ifstream in(std::string(CHATSHOP_FIXTURES_DIR) + "/webhooks/11_status_sent.json");
  std::stringstream body;
  body << in.rdbuf();
  ASSERT_EQ(PostThroughNginx(body.str()), 200);

  auto stopped = Cluster({"stop", "gateway-2"});
  ASSERT_EQ(stopped.status, 0) << stopped.output;
  struct Restart {
    ClusterTest* test;
    ~Restart() {
      auto started = test->Cluster({"start", "gateway-2"});
      EXPECT_EQ(started.status, 0) << started.output;
    }
  } restart{this};
  const std::vector<double> before = AcceptedPerGateway();
  int ok = 0;
  for (int i = 0; i < 30; ++i) {
    const int status = PostThroughNginx(body.str());
    EXPECT_EQ(status, 200) << "webhook " << i;
    ok += status == 200 ? 1 : 0;
  }
  EXPECT_EQ(ok, 30);
  const std::vector<double> after = AcceptedPerGateway();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_LT(after[1], 0) << "gateway-2 still answers its metrics: it was not stopped";
  EXPECT_EQ(after[0] - before[0] + after[2] - before[2], 30) << "the others took every webhook";
}

}  // namespace
}  // namespace chatshop
