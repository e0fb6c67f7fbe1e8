// The scale-out topology of `scripts/cluster up` (issue 15), tested from outside like a user
// sees it: nginx over TLS in front of three gateways, Patroni's primary and replica, Redis with
// Sentinel, a three-node RabbitMQ cluster. The cluster must be up; `scripts/test` brings it up
// for the `cluster` label. Its addresses come from .cluster/cluster.env, written by `up`.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
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
    // An upsert: the same owner after the first run. (Not checked with `owner list`, which
    // reads read_url: a replica that may not have it yet.)
    Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", kOwner, "--name",
         "Mr Sharma"});
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

  // A customer's text sent the way Meta sends it: redelivered (the same bytes) every 500 ms
  // until a gateway answers 200, as Meta retries a webhook that was not. Returns how many
  // deliveries were not answered 200 (-1: never answered 200 within the limit).
  int SaysLikeMeta(const std::string& wa_id, const std::string& text) {
    httplib::Client sandbox("127.0.0.1", SandboxPort());
    sandbox.set_read_timeout(30);
    json body = {{"phone_number_id", testing::kShopNumberId},
                 {"from", wa_id},
                 {"name", "Failover"},
                 {"text", text}};
    auto res = sandbox.Post("/sandbox/customer/messages", body.dump(), "application/json");
    if (!res) return -1;
    const json answer = json::parse(res->body, nullptr, false);
    if (!answer.is_object() || !answer.contains("wamid")) return -1;
    int refused = 0;
    int status = answer.value("gateway_status", 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (status != 200) {
      ++refused;
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // Meta's pace, shortened
      auto again = sandbox.Post("/sandbox/webhooks/redeliver",
                                json{{"wamid", answer["wamid"]}}.dump(), "application/json");
      const json said = again ? json::parse(again->body, nullptr, false) : json();
      status = said.is_object() ? said.value("gateway_status", 0) : 0;
    }
    return refused;
  }
  // Replies the shop sent `wa_id`, once there are at least `count` (waits up to 90 s: a
  // failover is in the way).
  json RepliesAfterFailover(const std::string& wa_id, size_t count) {
    testing::SandboxCustomer customer(SandboxPort(), wa_id);
    json replies;
    EXPECT_TRUE(WaitFor(
        [&] {
          replies = customer.Replies();
          return replies.size() >= count;
        },
        std::chrono::seconds(90)))
        << "waited for " << count << " replies, have " << replies.size();
    return replies;
  }
  std::string PgAdminUrl(const std::string& port) const {
    return "postgresql://" + env_.Get("CHATSHOP_CLUSTER_PG_SUPERUSER") + "@127.0.0.1:" + port +
           "/chatshop?connect_timeout=2";
  }
  // The port of the node that is primary now ("" when none answers as one).
  std::string PrimaryPort() const {
    for (const auto& port : env_.List("CHATSHOP_CLUSTER_PG_PORTS")) {
      try {
        if (Query(PgAdminUrl(port), "SELECT pg_is_in_recovery()") == "f") return port;
      } catch (const std::exception&) {
      }
    }
    return "";
  }
  // A primary and a replica streaming from it.
  bool PrimaryWithStreamingReplica() const {
    const std::string primary = PrimaryPort();
    if (primary.empty()) return false;
    try {
      return Query(PgAdminUrl(primary),
                   "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1";
    } catch (const std::exception&) {
      return false;
    }
  }

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
  const std::string access_log = env_.Get("CHATSHOP_CLUSTER_NGINX_ACCESS_LOG");
  const auto log_start = std::filesystem::file_size(access_log);
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
  // nginx tried the stopped gateway at most max_fails (2) times, then left it out.
  std::ifstream log(access_log);
  log.seekg(static_cast<std::streamoff>(log_start));
  const std::string stopped_upstream =
      "127.0.0.1:" + env_.List("CHATSHOP_CLUSTER_GATEWAY_PORTS")[1];
  int tried_stopped = 0, webhook_lines = 0;
  for (std::string line; std::getline(log, line);) {
    if (!Has(line, "POST /webhook")) continue;
    ++webhook_lines;
    tried_stopped += Has(line, stopped_upstream) ? 1 : 0;
  }
  EXPECT_GE(webhook_lines, 30);
  EXPECT_LE(tried_stopped, 2) << "nginx kept sending to the stopped gateway";
}

// kill -9 of the primary's postmaster in the middle of a conversation: Patroni promotes the
// replica, the workers reopen their connections and retry (the inbox dedupes), and the
// customer gets every answer once; the old primary comes back as a replica by itself.
TEST_F(ClusterTest, APostgresPrimaryKilledIsReplacedAndTheConversationGoesOnOnce) {
  ASSERT_TRUE(PrimaryWithStreamingReplica());
  const std::string old_primary = PrimaryPort();
  const std::string data_dir = Query(PgAdminUrl(old_primary), "SHOW data_directory");
  std::ifstream pid_file(data_dir + "/postmaster.pid");
  pid_t postmaster = 0;
  pid_file >> postmaster;
  ASSERT_GT(postmaster, 1);

  const std::string customer = RandomCustomer();
  ASSERT_EQ(::kill(postmaster, SIGKILL), 0);
  const int refused = SaysLikeMeta(customer, "2 maggi, 1 atta");
  ASSERT_GE(refused, 0) << "no gateway ever answered 200";
  json replies = RepliesAfterFailover(customer, 1);
  ASSERT_GE(replies.size(), 1u);
  EXPECT_TRUE(Has(BodyText(replies[0]["payload"]), "2 × Maggi 2-Minute Noodles 70g"))
      << BodyText(replies[0]["payload"]);
  ASSERT_TRUE(WaitFor([&] { return !PrimaryPort().empty(); }, std::chrono::seconds(60)));
  EXPECT_NE(PrimaryPort(), old_primary) << "Patroni promoted the replica";

  // The next step of the same conversation, on the new primary.
  ASSERT_GE(SaysLikeMeta(customer, "1 surf excel"), 0);
  replies = RepliesAfterFailover(customer, 2);
  // Every message had exactly one effect: one inbox row each, one reply each.
  const std::string url = config_.postgres.url;
  EXPECT_EQ(Query(url, "SELECT count(*) FROM inbox WHERE customer = '" + customer + "'"), "2");
  EXPECT_EQ(testing::SandboxCustomer(SandboxPort(), customer).Replies().size(), 2u);
  // The old primary rejoins as a streaming replica without anyone's help.
  EXPECT_TRUE(WaitFor([&] { return PrimaryWithStreamingReplica(); }, std::chrono::seconds(90)))
      << "the old primary did not come back as a replica";
  std::cerr << "webhook deliveries not answered 200 during the failover: " << refused << "\n";
}

// kill -9 of the Redis master: Sentinel promotes the replica and chatshop follows it; the old
// master comes back as a replica of the new one.
TEST_F(ClusterTest, ARedisMasterKilledIsReplacedBySentinelAndRepliesGoOn) {
  auto master = Cluster({"redis-master"});
  ASSERT_EQ(master.status, 0) << master.output;
  const std::string old_master = master.output.substr(0, master.output.find('\n'));
  std::string name;
  for (const std::string candidate : {"redis-1", "redis-2"}) {
    auto config = Cluster({"config", candidate});
    std::ifstream in(config.output.substr(0, config.output.find('\n')));
    std::stringstream text;
    text << in.rdbuf();
    if (Has(text.str(), "port " + old_master.substr(old_master.find(':') + 1))) name = candidate;
  }
  ASSERT_FALSE(name.empty()) << "which node is " << old_master;
  auto pid = Cluster({"pid", name});
  ASSERT_EQ(pid.status, 0) << pid.output;
  ASSERT_EQ(::kill(std::atoi(pid.output.c_str()), SIGKILL), 0);
  struct Rejoin {
    ClusterTest* test;
    std::string name;
    ~Rejoin() {
      auto started = test->Cluster({"start", name});
      EXPECT_EQ(started.status, 0) << started.output;
    }
  } rejoin{this, name};

  const std::string customer = RandomCustomer();
  ASSERT_GE(SaysLikeMeta(customer, "3 maggi"), 0);
  json replies = RepliesAfterFailover(customer, 1);
  ASSERT_GE(replies.size(), 1u);
  EXPECT_TRUE(Has(BodyText(replies[0]["payload"]), "3 × Maggi")) << BodyText(replies[0]["payload"]);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto now = Cluster({"redis-master"});
        return now.status == 0 && !Has(now.output, old_master);
      },
      std::chrono::seconds(60)))
      << "Sentinel did not promote the replica";
  ASSERT_GE(SaysLikeMeta(customer, "1 atta"), 0);
  replies = RepliesAfterFailover(customer, 2);
  EXPECT_EQ(replies.size(), 2u);
}

// A RabbitMQ node lost while messages wait in its queues: with the bots stopped, customers'
// messages are queued (confirmed to the gateways); then the node leading the shard queues is
// stopped. Quorum queues elect leaders on the survivors, the clients move to another node, and
// every message is answered once when the bots come back.
TEST_F(ClusterTest, ARabbitNodeLeadingTheQueuesStopsAndNoQueuedMessageIsLost) {
  auto leaders = Cluster(
      {"rabbitmqctl", "1", "list_queues", "--quiet", "--no-table-headers", "name", "leader"});
  ASSERT_EQ(leaders.status, 0) << leaders.output;
  std::string leader_node;
  std::istringstream lines(leaders.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("chatshop.inbound.0\t", 0) == 0) leader_node = line.substr(line.find('\t') + 1);
  }
  // Node names are chatshop<N>-<base>@localhost.
  ASSERT_EQ(leader_node.rfind("chatshop", 0), 0u) << leaders.output;
  const std::string rabbit = "rabbit-" + leader_node.substr(8, 1);

  for (const char* bot : {"bot-1", "bot-2"}) {
    auto stopped = Cluster({"stop", bot});
    ASSERT_EQ(stopped.status, 0) << stopped.output;
  }
  struct Restart {
    ClusterTest* test;
    std::vector<std::string> names;
    ~Restart() {
      for (const auto& name : names) {
        auto started = test->Cluster({"start", name});
        EXPECT_EQ(started.status, 0) << started.output;
      }
    }
  } restart{this, {rabbit, "bot-1", "bot-2"}};
  std::vector<std::string> customers;
  for (int i = 0; i < 8; ++i) {
    customers.push_back(RandomCustomer());
    ASSERT_EQ(SaysLikeMeta(customers.back(), "2 maggi"), 0) << "queued at the first try";
  }
  auto stopped = Cluster({"stop", rabbit});
  ASSERT_EQ(stopped.status, 0) << stopped.output;
  for (const char* bot : {"bot-1", "bot-2"}) {
    auto started = Cluster({"start", bot});
    ASSERT_EQ(started.status, 0) << started.output;
  }
  for (const auto& customer : customers) {
    json replies = RepliesAfterFailover(customer, 1);
    ASSERT_GE(replies.size(), 1u) << customer;
    EXPECT_TRUE(Has(BodyText(replies[0]["payload"]), "2 × Maggi")) << customer;
  }
  // A new customer is served too, while the node is still down.
  const std::string late = RandomCustomer();
  ASSERT_GE(SaysLikeMeta(late, "1 atta"), 0);
  EXPECT_EQ(RepliesAfterFailover(late, 1).size(), 1u);
  const std::string url = config_.postgres.url;
  for (const auto& customer : customers) {
    EXPECT_EQ(Query(url, "SELECT count(*) FROM inbox WHERE customer = '" + customer + "'"), "1");
    EXPECT_EQ(testing::SandboxCustomer(SandboxPort(), customer).Replies().size(), 1u) << customer;
  }
}

// Last, so that it also runs after the failovers above: the bots' read sessions chose their
// server when they connected, and must have found the replica again.
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
  // Read through the `postgres` database: a poll connected to `chatshop` would count itself.
  auto stats_url = [&](std::string url) {
    return url.replace(url.find("/chatshop?"), 10, "/postgres?");
  };
  const std::string commits_sql =
      "SELECT xact_commit FROM pg_stat_database WHERE datname = 'chatshop'";
  // Statistics reach pg_stat_database when a backend reports them (at the latest 1 s after
  // its transaction): poll.
  const long long replica_before = std::atoll(Query(stats_url(replica), commits_sql).c_str());
  for (int i = 0; i < 5; ++i) Ctl({"catalog", "list", "--shop", testing::kShopNumberId});
  EXPECT_TRUE(WaitFor([&] {
    return std::atoll(Query(stats_url(replica), commits_sql).c_str()) >= replica_before + 5;
  })) << "chatshopctl catalog list did not read from the replica";

  // A catalog the cache does not have yet (a new version) is loaded from the replica once the
  // replica has caught up with it.
  auto loads = [&](const std::string& source) {
    double sum = 0;
    for (const auto& port : env_.List("CHATSHOP_CLUSTER_BOT_METRICS_PORTS")) {
      sum += CounterSum(std::atoi(port.c_str()),
                        "chatshop_catalog_loads_total{source=\"" + source + "\"}");
    }
    return sum;
  };
  const double replica_loads_before = loads("replica");
  Ctl({"stock", "set", "--shop", testing::kShopNumberId, "ATTA-PILL-10", "11"});
  const std::string version_sql = "SELECT catalog_version FROM shops WHERE phone_number_id = '" +
                                  std::string(testing::kShopNumberId) + "'";
  const std::string version = Query(config_.postgres.url, version_sql);
  ASSERT_TRUE(WaitFor([&] { return Query(replica, version_sql) == version; }));
  testing::SandboxCustomer browsing(SandboxPort(), RandomCustomer());
  browsing.Says("1 atta");
  browsing.WaitForReplies(1);
  EXPECT_GT(loads("replica"), replica_loads_before) << "the bot's catalog load used the replica";

  // Freeze the replica in the past, change stock on the primary, and order it at once: the
  // bot must not believe the replica's stale catalog.
  ASSERT_EQ(Query(replica, "SELECT pg_wal_replay_pause()::text"), "");
  struct Resume {
    std::string url;
    ~Resume() {
      try {
        Query(url, "SELECT pg_wal_replay_resume()::text");
      } catch (const std::exception& e) {
        ADD_FAILURE() << "could not resume the replica's replay: " << e.what();
      }
    }
  } resume{replica};
  // A pause takes effect at the next WAL record the replica reads: write one on the primary and
  // wait until the replica says it is paused, so that nothing after this point is replayed.
  ASSERT_TRUE(WaitFor([&] {
    Query(PgAdminUrl(PrimaryPort()), "SELECT txid_current()");
    return Query(replica, "SELECT pg_get_wal_replay_pause_state()") == "paused";
  })) << "the replica's replay did not pause";
  // Warm the cache with the current catalog first, so the change must replace a cached copy.
  testing::SandboxCustomer warm(SandboxPort(), RandomCustomer());
  warm.Says("1 sona masoori rice");
  json warmed = warm.WaitForReplies(1);
  ASSERT_FALSE(Has(BodyText(warmed[0]["payload"]), "out of stock"))
      << BodyText(warmed[0]["payload"]);

  const double primary_before = loads("primary");
  Ctl({"stock", "set", "--shop", testing::kShopNumberId, "RICE-SONA-5", "0"});
  testing::SandboxCustomer customer(SandboxPort(), RandomCustomer());
  customer.Says("1 sona masoori rice");
  json said = customer.WaitForReplies(1);
  EXPECT_TRUE(Has(BodyText(said[0]["payload"]), "Sona Masoori Rice 5kg is out of stock"))
      << BodyText(said[0]["payload"]);
  // The bot saw that the replica's copy was older than the shop's catalog version and loaded
  // the catalog from the primary instead.
  EXPECT_GT(loads("primary"), primary_before);
  // The replica really was behind while the bot answered.
  EXPECT_EQ(Query(replica,
                  "SELECT stock FROM products p JOIN shops s ON s.id = p.shop_id "
                  "WHERE sku = 'RICE-SONA-5' AND s.phone_number_id = '" +
                      std::string(testing::kShopNumberId) + "'"),
            "8");
}

}  // namespace
}  // namespace chatshop
