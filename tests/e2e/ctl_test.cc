// chatshopctl against the real PostgreSQL: what an admin types, including the refusals.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>

#include "common/metrics.h"
#include "infra/rabbitmq.h"
#include "support/deployment.h"

namespace chatshop {
namespace {

class CtlTest : public ::testing::Test {
 protected:
  testing::RunResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    return testing::RunProgram(args);
  }
  std::string Q(const std::string& sql) const { return deployment_.schema().QueryValue(sql); }
  testing::Deployment deployment_;
};

TEST_F(CtlTest, ACatalogWithThreeBadLinesImportsNothingAndNamesAllThree) {
  const std::string good = std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv";
  auto imported = Ctl({"catalog", "import", "--shop", testing::kShopNumberId, good});
  ASSERT_EQ(imported.status, 0) << imported.output;
  const std::string before = Q("SELECT count(*) || ' ' || sum(stock) FROM products");

  const std::string bad = ::testing::TempDir() + "/bad_catalog.csv";
  std::ofstream(bad) << "sku,name,price,stock,unit,category,aliases\n"
                     << "RICE-5,Basmati Rice 5kg,499.00,10,pack,staples,chawal\n"
                     << "SUGAR-1,Sugar 1kg,forty,20,pack,staples,cheeni\n"   // line 3: price
                     << "DAL-1,Toor Dal 1kg,139.00,-4,pack,staples,arhar\n"  // line 4: stock
                     << "TEA-250,Tata Tea 250g,120.00,15,pack,beverages,chai\n"
                     << ",Nameless,10.00,1,pack,snacks,\n";  // line 6: sku
  auto refused = Ctl({"catalog", "import", "--shop", testing::kShopNumberId, bad});
  EXPECT_NE(refused.status, 0);
  for (const char* line : {":3:", ":4:", ":6:"}) {
    EXPECT_NE(refused.output.find(bad + line), std::string::npos) << line << "\n" << refused.output;
  }
  EXPECT_NE(refused.output.find("3 bad line(s); nothing was read"), std::string::npos)
      << refused.output;
  EXPECT_EQ(Q("SELECT count(*) || ' ' || sum(stock) FROM products"), before) << "nothing imported";
  EXPECT_EQ(Q("SELECT count(*) FROM products WHERE sku = 'RICE-5'"), "0")
      << "not even the good lines";
}

TEST_F(CtlTest, ALargeCatalogImportShowsItsProgress) {
  const std::string big = ::testing::TempDir() + "/big_catalog.csv";
  {
    std::ofstream out(big);
    out << "sku,name,price,stock,unit,category,aliases\n";
    for (int i = 0; i < 2500; ++i) {
      out << "SKU-" << i << ",Product number " << i << ",10.00,5,pack,general,\n";
    }
  }
  auto imported = Ctl({"catalog", "import", "--shop", testing::kShopNumberId, big});
  ASSERT_EQ(imported.status, 0) << imported.output;
  EXPECT_NE(imported.output.find("importing: 20% (500 of 2500 products)"), std::string::npos)
      << imported.output;
  EXPECT_NE(imported.output.find("importing: 100% (2500 of 2500 products)"), std::string::npos)
      << imported.output;
  EXPECT_EQ(Q("SELECT count(*) FROM products"), "2500");
}

TEST_F(CtlTest, StockAdjustExportRoundTripAndRefusals) {
  const std::string good = std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv";
  ASSERT_EQ(Ctl({"catalog", "import", "--shop", testing::kShopNumberId, good}).status, 0);
  auto up = Ctl({"stock", "adjust", "--shop", testing::kShopNumberId, "PANEER-200", "+5"});
  ASSERT_EQ(up.status, 0) << up.output;
  EXPECT_NE(up.output.find("PANEER-200 stock is now 15"), std::string::npos) << up.output;
  auto below = Ctl({"stock", "adjust", "--shop", testing::kShopNumberId, "PANEER-200", "-16"});
  EXPECT_EQ(below.status, 1);
  EXPECT_NE(below.output.find("below zero"), std::string::npos) << below.output;
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "15") << "nothing changed";
  EXPECT_EQ(Ctl({"stock", "adjust", "--shop", testing::kShopNumberId, "NO-SUCH", "+1"}).status, 1);
  EXPECT_EQ(Ctl({"stock", "adjust", "--shop", testing::kShopNumberId, "PANEER-200", "5"}).status, 1)
      << "a change needs its sign";

  // Export, then import the export: the same catalog.
  const std::string exported = ::testing::TempDir() + "/exported.csv";
  ASSERT_EQ(Ctl({"catalog", "export", "--shop", testing::kShopNumberId, exported}).status, 0);
  const std::string before =
      Q("SELECT string_agg(sku || name || price_minor || stock || unit || category || "
        "array_to_string(aliases, '|'), ';' ORDER BY position) FROM products");
  auto again = Ctl({"catalog", "import", "--shop", testing::kShopNumberId, exported});
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(Q("SELECT string_agg(sku || name || price_minor || stock || unit || category || "
              "array_to_string(aliases, '|'), ';' ORDER BY position) FROM products"),
            before);

  // Refusals: a token on the command line, a number that is not E.164.
  auto argv_token = Ctl(
      {"shop", "add", "--phone-number-id", "1234567890", "--name", "X", "--token", "EAAG-secret"});
  EXPECT_EQ(argv_token.status, 1);
  EXPECT_NE(argv_token.output.find("--token-stdin"), std::string::npos) << argv_token.output;
  EXPECT_EQ(argv_token.output.find("EAAG-secret"), std::string::npos) << "never echoed";
  EXPECT_EQ(Q("SELECT count(*) FROM shops WHERE phone_number_id = '1234567890'"), "0");
  EXPECT_EQ(
      Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", "09812345678"}).status, 1);
  EXPECT_EQ(Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", "+91 98123"}).status,
            1);
  EXPECT_EQ(
      Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", "+919812345678"}).status,
      0);
}

TEST_F(CtlTest, ConfigCheckReachesEveryServerAndSaysWhichIsDown) {
  // A wrong key in the config: the admin's mistake, exit 1, with file and key named.
  const std::string bad = ::testing::TempDir() + "/bad.toml";
  std::ofstream(bad) << "[http]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n";
  auto wrong =
      testing::RunProgram({testing::Bin("chatshopctl"), "--config", bad, "config", "check"});
  EXPECT_EQ(wrong.status, 1) << wrong.output;
  EXPECT_NE(wrong.output.find(bad + ":3: [http] lisen: unknown key"), std::string::npos)
      << wrong.output;
  auto ok = Ctl({"config", "check"});
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("postgres: ok"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("redis: ok"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("rabbitmq (and its queues): ok"), std::string::npos) << ok.output;
  // Redis moved away: exit 2 (a server is unreachable), and which one.
  auto down = testing::RunProgram({"/usr/bin/env", "CHATSHOP_REDIS_URL=redis://127.0.0.1:1/0",
                                   testing::Bin("chatshopctl"), "--config",
                                   deployment_.config_path(), "config", "check"});
  EXPECT_EQ(down.status, 2) << down.output;
  EXPECT_NE(down.output.find("redis: NOT OK"), std::string::npos) << down.output;
  EXPECT_NE(down.output.find("postgres: ok"), std::string::npos) << down.output;
}

TEST_F(CtlTest, AliasesShopShowWebhookInfoAndSendTest) {
  const std::string good = std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv";
  ASSERT_EQ(Ctl({"catalog", "import", "--shop", testing::kShopNumberId, good}).status, 0);
  auto added =
      Ctl({"alias", "add", "--shop", testing::kShopNumberId, "PANEER-200", "cottage cheese"});
  ASSERT_EQ(added.status, 0) << added.output;
  EXPECT_NE(added.output.find("paneer, cottage cheese"), std::string::npos) << added.output;
  EXPECT_EQ(Ctl({"alias", "add", "--shop", testing::kShopNumberId, "PANEER-200", "cottage cheese"})
                .status,
            0)
      << "adding twice keeps one";
  EXPECT_EQ(Q("SELECT array_to_string(aliases, '|') FROM products WHERE sku = 'PANEER-200'"),
            "paneer|cottage cheese");
  EXPECT_EQ(Ctl({"alias", "add", "--shop", testing::kShopNumberId, "PANEER-200", "a|b"}).status, 1);
  EXPECT_EQ(Ctl({"alias", "add", "--shop", testing::kShopNumberId, "NO-SUCH", "x"}).status, 1);
  ASSERT_EQ(
      Ctl({"alias", "remove", "--shop", testing::kShopNumberId, "PANEER-200", "paneer"}).status, 0);
  EXPECT_EQ(Q("SELECT array_to_string(aliases, '|') FROM products WHERE sku = 'PANEER-200'"),
            "cottage cheese");

  ASSERT_EQ(Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", "919800000001",
                 "--name", "Mr Sharma"})
                .status,
            0);
  auto show = Ctl({"shop", "show", "--shop", testing::kShopNumberId, "--json"});
  ASSERT_EQ(show.status, 0) << show.output;
  const auto shop = nlohmann::json::parse(show.output);
  EXPECT_EQ(shop["name"], "Sharma Kirana");
  EXPECT_EQ(shop["products"], 40);
  EXPECT_EQ(shop["owners"][0]["phone"], "919800000001");
  EXPECT_EQ(shop["credentials_ok"], true);
  EXPECT_EQ(show.output.find("e2e-graph-token"), std::string::npos) << "never the token";
  auto table = Ctl({"shop", "show", "--shop", testing::kShopNumberId});
  EXPECT_NE(table.output.find("owner +919800000001 Mr Sharma"), std::string::npos) << table.output;
  EXPECT_EQ(Ctl({"shop", "show", "--shop", "000"}).status, 1);
  // A number already registered is refused; shop update changes it.
  auto twice = testing::RunProgram(
      {testing::Bin("chatshopctl"), "--config", deployment_.config_path(), "shop", "add",
       "--phone-number-id", testing::kShopNumberId, "--name", "Other", "--token-stdin"},
      "other-token\n");
  EXPECT_EQ(twice.status, 1);
  EXPECT_NE(twice.output.find("shop update"), std::string::npos) << twice.output;
  EXPECT_EQ(Q("SELECT name FROM shops"), "Sharma Kirana") << "unchanged";
  ASSERT_EQ(
      Ctl({"shop", "update", "--shop", testing::kShopNumberId, "--name", "Sharma General Store"})
          .status,
      0);
  EXPECT_EQ(Q("SELECT name FROM shops"), "Sharma General Store");
  EXPECT_EQ(Ctl({"shop", "update", "--shop", testing::kShopNumberId}).status, 1)
      << "nothing to change";
  EXPECT_EQ(nlohmann::json::parse(Ctl({"shop", "list", "--json"}).output)[0]["name"],
            "Sharma General Store");
  EXPECT_EQ(
      nlohmann::json::parse(
          Ctl({"owner", "list", "--shop", testing::kShopNumberId, "--json"}).output)[0]["phone"],
      "919800000001");
  EXPECT_EQ(nlohmann::json::parse(
                Ctl({"catalog", "list", "--shop", testing::kShopNumberId, "--json"}).output)
                    .dump()
                    .find("PANEER-200") != std::string::npos,
            true);

  auto info = Ctl({"webhook", "info"});
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("Callback URL:  https://<your public host>/webhook"),
            std::string::npos)
      << info.output;
  EXPECT_NE(info.output.find("Verify token:  e2e-verify"), std::string::npos) << info.output;

  EXPECT_EQ(Ctl({"send-test", testing::kShopNumberId, "12", "hello"}).status, 1) << "not a number";
  auto sent = Ctl({"send-test", testing::kShopNumberId, "+919812345678", "hello from chatshop"});
  ASSERT_EQ(sent.status, 0) << sent.output;
  EXPECT_EQ(Q("SELECT recipient || ' ' || (payload->'text'->>'body') || ' ' || status FROM outbox"),
            "919812345678 hello from chatshop pending");
}

// A token stored with `credentials set` is encrypted at rest: not in the database in the clear,
// usable by a worker that has the master key, refused cleanly with a wrong one.
TEST_F(CtlTest, CredentialsAreEncryptedAtRestAndCheckedAgainstTheGraphApi) {
  const std::string key =
      "CHATSHOP_MASTER_KEY=c2FuZGJveC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmc=";  // 32 bytes
  const std::string wrong = "CHATSHOP_MASTER_KEY=b3RoZXItbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE=";
  auto ctl = [&](const std::vector<std::string>& env, std::vector<std::string> args,
                 const std::string& input = "") {
    std::vector<std::string> argv = {"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProgram(argv, input);
  };
  auto no_key = ctl({"-u", "CHATSHOP_MASTER_KEY"},
                    {"credentials", "set", "--shop", testing::kShopNumberId}, "e2e-graph-token\n");
  EXPECT_EQ(no_key.status, 1);
  EXPECT_NE(no_key.output.find("openssl rand -base64 32"), std::string::npos) << no_key.output;

  auto set =
      ctl({key}, {"credentials", "set", "--shop", testing::kShopNumberId}, "e2e-graph-token\n");
  ASSERT_EQ(set.status, 0) << set.output;
  EXPECT_EQ(set.output.find("e2e-graph-token"), std::string::npos) << "never printed back";
  const std::string stored = Q("SELECT access_token FROM shops");
  EXPECT_EQ(stored.rfind("enc:v2:", 0), 0u) << "bound to its shop";
  EXPECT_EQ(stored.find("e2e-graph-token"), std::string::npos) << "not readable in a dump";

  deployment_.Start("sandbox");
  ASSERT_TRUE(
      testing::WaitFor([&] { return testing::HttpOk(deployment_.sandbox_port(), "/healthz"); }));
  auto check = ctl({key}, {"credentials", "check", "--shop", testing::kShopNumberId});
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_NE(check.output.find("the token works for"), std::string::npos) << check.output;
  auto bad = ctl({wrong}, {"credentials", "check", "--shop", testing::kShopNumberId});
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("cannot decrypt the shop's token"), std::string::npos) << bad.output;
  EXPECT_EQ(bad.output.find("e2e-graph-token"), std::string::npos);

  // A worker with the key sends with the decrypted token (the sandbox checks it).
  deployment_.StartAs("worker", "worker", {"--role", "sender"}, {key});
  Q("INSERT INTO outbox (shop_id, recipient, payload) VALUES ((SELECT id FROM shops), "
    "'919600000020', "
    "jsonb_build_object('messaging_product', 'whatsapp', 'to', '919600000020', 'type', 'text', "
    "'text', jsonb_build_object('body', 'sent with the decrypted token')))");
  EXPECT_TRUE(testing::WaitFor([&] { return Q("SELECT status FROM outbox") == "sent"; }))
      << Q("SELECT status || ' ' || coalesce(last_error, '') FROM outbox");
}

// `db prune` applies [retention]: old inbox rows, delivery statuses and parked messages go,
// recent ones stay; --dry-run only counts.
TEST_F(CtlTest, DbPruneDeletesWhatIsOlderThanTheRetentionAndKeepsTheRest) {
  Q("INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, received_at, event) "
    "SELECT 'wamid.old' || n, (SELECT id FROM shops), '919876543210', 'text', now() - interval '40 "
    "days', "
    "now() - interval '40 days', '{}' FROM generate_series(1, 1500) n");
  Q("INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, event) "
    "SELECT 'wamid.new' || n, (SELECT id FROM shops), '919876543210', 'text', now(), '{}' "
    "FROM generate_series(1, 4) n");
  Q("INSERT INTO message_status (wamid, shop_id, recipient, status, rank, status_at, updated_at) "
    "SELECT 'wamid.out' || n, (SELECT id FROM shops), '919876543210', 'read', 3, now(), "
    "now() - (n * interval '60 days') FROM generate_series(1, 3) n");  // 60, 120, 180 days
  ASSERT_TRUE(infra::DeclareTopology(deployment_.rabbit()));
  {
    common::MetricsRegistry metrics;
    infra::RabbitPublisher publisher(deployment_.rabbit(), metrics);
    publisher.Start();
    const int64_t now = std::time(nullptr);
    const std::string exchange =
        infra::RabbitNames{deployment_.rabbit().name_prefix}.ParkedExchange();
    ASSERT_TRUE(publisher.Publish({{exchange, "", "parked-old", "{}", {}, 0, now - 30 * 24 * 3600},
                                   {exchange, "", "parked-new", "{}", {}, 0, now - 3600}}));
    publisher.Stop();
  }
  const std::string parked = infra::RabbitNames{deployment_.rabbit().name_prefix}.ParkedQueue();

  auto dry = Ctl({"db", "prune", "--dry-run"});
  ASSERT_EQ(dry.status, 0) << dry.output;
  EXPECT_NE(
      dry.output.find("would delete 1500 inbox rows older than 30 days, 2 delivery statuses older "
                      "than 90 days, 1 parked messages older than 14 days"),
      std::string::npos)
      << dry.output;
  EXPECT_EQ(Q("SELECT count(*) FROM inbox"), "1504");
  EXPECT_EQ(*infra::QueueDepth(deployment_.rabbit(), parked), 2u);

  auto pruned = Ctl({"db", "prune"});
  ASSERT_EQ(pruned.status, 0) << pruned.output;
  EXPECT_NE(pruned.output.find(
                "deleted 1500 inbox rows older than 30 days, 2 delivery statuses older than "
                "90 days (3 batches of at most 1000), 1 parked messages older than 14 days"),
            std::string::npos)
      << pruned.output;
  EXPECT_EQ(Q("SELECT count(*) FROM inbox"), "4");
  EXPECT_EQ(Q("SELECT string_agg(wamid, ',') FROM message_status"), "wamid.out1");
  auto left = infra::Peek(deployment_.rabbit(), parked, 10);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].message_id, "parked-new");

  // A shorter age from the environment, as for any key; one too short for Meta's redeliveries
  // is refused.
  auto env = testing::RunProgram({"/usr/bin/env", "CHATSHOP_RETENTION_INBOX_DAYS=3",
                                  testing::Bin("chatshopctl"), "--config",
                                  deployment_.config_path(), "db", "prune"});
  EXPECT_NE(env.status, 0);
  EXPECT_NE(env.output.find("[retention] inbox_days: must be between 7 and 3650"),
            std::string::npos)
      << env.output;
  EXPECT_EQ(Q("SELECT count(*) FROM inbox"), "4");
}

// The workers apply the same retention by themselves: at the start, then every
// prune_interval_minutes.
TEST_F(CtlTest, TheWorkerPrunesOldRowsByItself) {
  Q("INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, received_at, event) "
    "SELECT 'wamid.old' || n, (SELECT id FROM shops), '919876543210', 'text', now() - interval '40 "
    "days', "
    "now() - interval '40 days', '{}' FROM generate_series(1, 30) n");
  Q("INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, event) "
    "VALUES ('wamid.new', (SELECT id FROM shops), '919876543210', 'text', now(), '{}')");
  deployment_.StartAs("worker", "worker", {"--role", "bot"}, {"CHATSHOP_RETENTION_BATCH_ROWS=7"});
  EXPECT_TRUE(testing::WaitFor([&] { return Q("SELECT count(*) FROM inbox") == "1"; }))
      << Q("SELECT count(*) FROM inbox");
  EXPECT_EQ(Q("SELECT wamid FROM inbox"), "wamid.new");
}

// Without a master key a token would be stored readable by anyone with a database dump: shop add
// and shop update refuse unless the admin asks for it; a sealed token is bound to its shop.
TEST_F(CtlTest,
       WithoutAMasterKeyAPlainTokenIsStoredOnlyWhenAskedForAndSealedOnesAreBoundToTheirShop) {
  const std::string key = "CHATSHOP_MASTER_KEY=c2FuZGJveC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmc=";
  auto ctl = [&](const std::vector<std::string>& env, std::vector<std::string> args,
                 const std::string& input) {
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "CHATSHOP_MASTER_KEY", "-u",
                                     "CHATSHOP_MASTER_KEY_FILE"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProgram(argv, input);
  };
  const std::string plain = "106540352240001", sealed = "106540352240002";
  auto refused =
      ctl({}, {"shop", "add", "--phone-number-id", plain, "--name", "Plain", "--token-stdin"},
          "EAAG-plain-token\n");
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("refusing to store the token unencrypted"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--allow-plaintext-token"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("CHATSHOP_MASTER_KEY"), std::string::npos) << refused.output;
  EXPECT_EQ(refused.output.find("EAAG-plain-token"), std::string::npos) << "never echoed";
  EXPECT_EQ(Q("SELECT count(*) FROM shops WHERE phone_number_id = '" + plain + "'"), "0")
      << "nothing stored";

  auto allowed = ctl({},
                     {"shop", "add", "--phone-number-id", plain, "--name", "Plain", "--token-stdin",
                      "--allow-plaintext-token"},
                     "EAAG-plain-token\n");
  ASSERT_EQ(allowed.status, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("stored unencrypted"), std::string::npos)
      << "said loudly: " << allowed.output;
  EXPECT_EQ(Q("SELECT access_token FROM shops WHERE phone_number_id = '" + plain + "'"),
            "EAAG-plain-token");

  auto update = ctl({}, {"shop", "update", "--shop", plain, "--token-stdin"}, "EAAG-new-plain\n");
  EXPECT_EQ(update.status, 1) << update.output;
  EXPECT_NE(update.output.find("--allow-plaintext-token"), std::string::npos) << update.output;
  EXPECT_EQ(Q("SELECT access_token FROM shops WHERE phone_number_id = '" + plain + "'"),
            "EAAG-plain-token")
      << "unchanged";
  auto credentials = ctl({}, {"credentials", "set", "--shop", plain}, "EAAG-new-plain\n");
  EXPECT_EQ(credentials.status, 1) << "credentials set always encrypts: " << credentials.output;

  // With the key: sealed (v2) and bound to the shop. Shop A's value copied into shop B's row
  // does not decrypt there.
  auto with_key =
      ctl({key}, {"shop", "add", "--phone-number-id", sealed, "--name", "Sealed", "--token-stdin"},
          "EAAG-sealed-token\n");
  ASSERT_EQ(with_key.status, 0) << with_key.output;
  const std::string stored =
      Q("SELECT access_token FROM shops WHERE phone_number_id = '" + sealed + "'");
  EXPECT_EQ(stored.rfind("enc:v2:", 0), 0u) << stored;
  EXPECT_EQ(stored.find("EAAG-sealed-token"), std::string::npos);
  Q("UPDATE shops SET access_token = '" + stored + "' WHERE phone_number_id = '" + plain + "'");
  auto copied = ctl({key}, {"credentials", "check", "--shop", plain}, "");
  EXPECT_EQ(copied.status, 1) << copied.output;
  EXPECT_NE(copied.output.find("cannot decrypt the shop's token"), std::string::npos)
      << copied.output;
  EXPECT_EQ(copied.output.find("EAAG-sealed-token"), std::string::npos);
}

// [postgres] read_url (issue 15): lists and reports read it, writes never do. Shown with a
// read_url that works (the same database) and one that cannot be reached.
TEST_F(CtlTest, ListsReadTheReadUrlAndWritesTheUrl) {
  const std::string good = std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv";
  ASSERT_EQ(Ctl({"catalog", "import", "--shop", testing::kShopNumberId, good}).status, 0);
  auto with_read_url = [&](const std::string& read_url, std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/env", "CHATSHOP_POSTGRES_READ_URL=" + read_url,
                               testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    return testing::RunProgram(args);
  };
  const std::string same = deployment_.schema().url();
  auto listed = with_read_url(same, {"catalog", "list", "--shop", testing::kShopNumberId});
  ASSERT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find("PANEER-200"), std::string::npos) << listed.output;

  const std::string nowhere = "postgresql://chatshop@127.0.0.1:1/none?connect_timeout=1";
  for (std::vector<std::string> list :
       {std::vector<std::string>{"catalog", "list", "--shop", testing::kShopNumberId},
        {"shop", "list"},
        {"shop", "show", "--shop", testing::kShopNumberId},
        {"owner", "list", "--shop", testing::kShopNumberId},
        {"orders", "list", "--shop", testing::kShopNumberId}}) {
    auto failed = with_read_url(nowhere, list);
    EXPECT_NE(failed.status, 0) << list[0] << " " << list[1] << " did not read read_url\n"
                                << failed.output;
  }
  // A change goes to url whatever read_url says.
  auto changed = with_read_url(
      nowhere, {"stock", "adjust", "--shop", testing::kShopNumberId, "PANEER-200", "+1"});
  EXPECT_EQ(changed.status, 0) << changed.output;
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "11");
}

}  // namespace
}  // namespace chatshop
