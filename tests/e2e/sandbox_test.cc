// The sandbox is for loopback demos and tests only: it refuses a config that would expose it or
// that belongs to a real deployment, and its chat page shows whatever customers and shops send
// as text, never as HTML.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "support/deployment.h"

namespace chatshop {
namespace {

using nlohmann::json;

// A complete config whose [sandbox] listen and [whatsapp] graph_base_url are the given ones.
std::string SandboxConfig(const std::string& listen, const std::string& graph_base_url) {
  const auto& stack = testing::StackConfig();
  const std::string path = ::testing::TempDir() + "/" + testing::UniqueName("sandbox") + ".toml";
  std::ofstream(path)
      << "[http]\nlisten = \"127.0.0.1:" << testing::FreePort() << "\"\n"
      << "[whatsapp]\napp_secret = \"e2e-app-secret\"\nverify_token = \"e2e-verify\"\n"
      << "graph_base_url = \"" << graph_base_url << "\"\n"
      << "[postgres]\nurl = \"" << stack.postgres.url << "\"\n"
      << "[redis]\nurl = \"" << stack.redis.url << "\"\n"
      << "[rabbitmq]\nurl = \"" << stack.rabbitmq.url << "\"\n"
      << "[sandbox]\nlisten = \"" << listen << "\"\naccess_token = \"e2e-graph-token\"\n";
  return path;
}

TEST(SandboxConfigTest, RefusesANonLoopbackAddressAndMetasGraphApi) {
  const std::string port = std::to_string(testing::FreePort());
  struct Case {
    std::string listen, graph, expected;
  };
  const std::vector<Case> cases = {
      {"0.0.0.0:" + port, "http://127.0.0.1:" + port,
       "[sandbox] listen: must be a loopback address"},
      {"192.168.1.20:" + port, "http://127.0.0.1:" + port,
       "[sandbox] listen: must be a loopback address"},
      {"127.0.0.1:" + port, "https://graph.facebook.com",
       "[whatsapp] graph_base_url: points at Meta's Graph API"},
      {"127.0.0.1:" + port, "https://GRAPH.Facebook.COM.:443/v24.0",
       "[whatsapp] graph_base_url: points at Meta"},
      {"127.0.0.1:" + port, "https://facebook.com", "[whatsapp] graph_base_url: points at Meta"},
  };
  for (const auto& c : cases) {
    const std::string config = SandboxConfig(c.listen, c.graph);
    auto run = testing::RunProgram({testing::Bin("chatshop-sandbox"), "--config", config});
    EXPECT_EQ(run.status, 2) << c.listen << " " << c.graph << "\n" << run.output;
    EXPECT_NE(run.output.find("chatshop-sandbox: " + config + ": " + c.expected), std::string::npos)
        << run.output;
    EXPECT_FALSE(testing::HttpOk(std::stoi(port), "/healthz")) << "it never listened";
    std::filesystem::remove(config);
  }
  // Both problems at once are both named.
  const std::string both = SandboxConfig("0.0.0.0:" + port, "https://graph.facebook.com");
  auto run = testing::RunProgram({testing::Bin("chatshop-sandbox"), "--config", both});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find("[sandbox] listen"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("[whatsapp] graph_base_url"), std::string::npos) << run.output;
  std::filesystem::remove(both);
}

class SandboxPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deployment_.Start("sandbox");
    ASSERT_TRUE(
        testing::WaitFor([&] { return testing::HttpOk(deployment_.sandbox_port(), "/healthz"); }));
  }
  httplib::Client Sandbox() const {
    return httplib::Client("127.0.0.1", deployment_.sandbox_port());
  }
  // A customer's message (the gateway is not running: the sandbox keeps it for the page anyway).
  void FromCustomer(json body) {
    body["phone_number_id"] = testing::kShopNumberId;
    body["from"] = kCustomer;
    body["name"] = "<img src=x onerror=window.__xss=6>";
    auto res = Sandbox().Post("/sandbox/customer/messages", body.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_NE(res->status, 400) << res->body;
  }
  // A message the shop sends through the fake Graph API.
  void FromShop(json payload) {
    payload["messaging_product"] = "whatsapp";
    payload["to"] = kCustomer;
    httplib::Headers auth = {{"Authorization", "Bearer e2e-graph-token"}};
    auto res =
        Sandbox().Post((std::string("/v24.0/") + testing::kShopNumberId + "/messages").c_str(),
                       auth, payload.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  static constexpr const char* kCustomer = "919600000077";
  testing::Deployment deployment_;
};

TEST_F(SandboxPageTest, EverythingAMessageCarriesIsShownAsTextNeverAsHtml) {
  FromCustomer(
      {{"image_base64", "aGVsbG8="}, {"mime_type", "text/<img src=x onerror=window.__xss=3>"}});
  FromCustomer({{"text", "<img src=x onerror=window.__xss=1>#end text"}});
  FromShop({{"type", "text"}, {"text", {{"body", "<script>window.__xss=2</script>#end"}}}});
  FromShop({{"type", "interactive"},
            {"interactive",
             {{"type", "button"},
              {"body", {{"text", "#end <b onclick=x>body</b>"}}},
              {"action",
               {{"buttons",
                 {{{"type", "reply"},
                   {"reply", {{"id", "b1"}, {"title", "<b onclick=x>t</b>"}}}}}}}}}}});
  FromShop({{"type", "interactive"},
            {"interactive",
             {{"type", "list"},
              {"body", {{"text", "pick"}}},
              {"action",
               {{"button", "<i>open</i>"},
                {"sections",
                 {{{"title", "s"},
                   {"rows",
                    {{{"id", "r1"},
                      {"title", "<i>r</i>"},
                      {"description", "<img src=x onerror=window.__xss=4>#end"}}}}}}}}}}}});
  FromShop(
      {{"type", "template"},
       {"template",
        {{"name", "<img src=x onerror=window.__xss=5>#end"}, {"language", {{"code", "en"}}}}}});

  // What feeds the page is JSON (never rendered by the browser as a document), the texts intact.
  auto chat = Sandbox().Get((std::string("/sandbox/chat?number=") + kCustomer).c_str());
  ASSERT_TRUE(chat && chat->status == 200);
  EXPECT_EQ(chat->get_header_value("Content-Type").rfind("application/json", 0), 0u);
  EXPECT_EQ(json::parse(chat->body)["entries"].size(), 6u) << chat->body;
  EXPECT_NE(chat->body.find("<img src=x onerror=window.__xss=1>#end text"), std::string::npos);
  // A "picture" whose type is not an image is served as bytes, not as a page of the sandbox.
  const std::string media = json::parse(chat->body)["entries"][0]["media_id"];
  auto served = Sandbox().Get(("/sandbox/page-media/" + media).c_str());
  ASSERT_TRUE(served && served->status == 200);
  EXPECT_EQ(served->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(served->get_header_value("X-Content-Type-Options"), "nosniff");

  // The page itself, in a real browser: nothing of it runs or becomes an element.
  const std::string modules =
      std::string(CHATSHOP_SOURCE_DIR) + "/tests/browser/node_modules/playwright-core";
  if (!std::filesystem::exists(modules) || !std::filesystem::exists("/usr/bin/chromium")) {
    GTEST_SKIP() << "playwright-core or chromium missing (scripts/install-deps installs them): "
                    "the page was not checked in a browser";
  }
  auto browser = testing::RunProgram(
      {"/usr/bin/node", std::string(CHATSHOP_SOURCE_DIR) + "/tests/browser/sandbox_escape_test.mjs",
       "http://127.0.0.1:" + std::to_string(deployment_.sandbox_port()) + "/sandbox", kCustomer});
  EXPECT_EQ(browser.status, 0) << browser.output;
  EXPECT_NE(browser.output.find("ok: every hostile message was shown as text"), std::string::npos)
      << browser.output;
}

// [sandbox] webhook_ca_file (issue 15): webhooks go to an https URL (nginx in the cluster)
// whose certificate a local CA signed. Here the "nginx" is an httplib::SSLServer of the test's
// own with a certificate made by openssl for 127.0.0.1.
class SandboxTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / testing::UniqueName("sandbox_tls");
    std::filesystem::create_directories(dir_);
    const std::string d = dir_.string();
    auto made = testing::RunProgram(
        {"/bin/sh", "-c",
         "cd '" + d +
             "' && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
             "-subj /CN=chatshop-test-ca && "
             "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
             "-subj /CN=127.0.0.1 && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out server.pem -days 2 -extfile san.ext"});
    ASSERT_EQ(made.status, 0) << made.output;
    server_ = std::make_unique<httplib::SSLServer>((d + "/server.pem").c_str(),
                                                   (d + "/server.key").c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Post("/webhook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      signatures_.push_back(req.get_header_value("X-Hub-Signature-256"));
      res.set_content("{}", "application/json");
    });
    tls_port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(tls_port_, 0);
    serving_ = std::thread([this] { server_->listen_after_bind(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (serving_.joinable()) serving_.join();
    std::filesystem::remove_all(dir_);
  }

  // Starts a sandbox whose webhooks go to the TLS server, with `ca_file` (or none); its port.
  int StartSandbox(const std::string& ca_file) {
    const auto& stack = testing::StackConfig();
    const int port = testing::FreePort();
    const std::string config = (dir_ / testing::UniqueName("sandbox")).string() + ".toml";
    std::ofstream(config) << "[http]\nlisten = \"127.0.0.1:" << testing::FreePort() << "\"\n"
                          << "[whatsapp]\napp_secret = \"e2e-app-secret\"\n"
                          << "verify_token = \"e2e-verify\"\n"
                          << "graph_base_url = \"http://127.0.0.1:" << port << "\"\n"
                          << "[postgres]\nurl = \"" << stack.postgres.url << "\"\n"
                          << "[redis]\nurl = \"" << stack.redis.url << "\"\n"
                          << "[rabbitmq]\nurl = \"" << stack.rabbitmq.url << "\"\n"
                          << "[sandbox]\nlisten = \"127.0.0.1:" << port << "\"\n"
                          << "access_token = \"e2e-graph-token\"\n"
                          << "webhook_url = \"https://127.0.0.1:" << tls_port_ << "/webhook\"\n"
                          << (ca_file.empty() ? "" : "webhook_ca_file = \"" + ca_file + "\"\n");
    sandboxes_.push_back(std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::Bin("chatshop-sandbox"), "--config", config},
        config + ".log"));
    EXPECT_TRUE(testing::WaitFor([&] { return testing::HttpOk(port, "/healthz"); }));
    return port;
  }

  // A customer's text through the sandbox: the gateway status it reports.
  int Send(int sandbox_port) {
    json body = {{"phone_number_id", testing::kShopNumberId},
                 {"from", "919600000078"},
                 {"text", "hello over tls"}};
    auto res = httplib::Client("127.0.0.1", sandbox_port)
                   .Post("/sandbox/customer/messages", body.dump(), "application/json");
    if (!res) return -1;
    return json::parse(res->body, nullptr, false).value("gateway_status", -1);
  }

  std::filesystem::path dir_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread serving_;
  int tls_port_ = 0;
  std::mutex mutex_;
  std::vector<std::string> signatures_;
  std::vector<std::unique_ptr<testing::ChildProcess>> sandboxes_;
};

TEST_F(SandboxTlsTest, WebhooksAreDeliveredOverTlsVerifiedAgainstTheLocalCa) {
  const int with_ca = StartSandbox((dir_ / "ca.pem").string());
  EXPECT_EQ(Send(with_ca), 200);
  {
    std::lock_guard lock(mutex_);
    ASSERT_EQ(signatures_.size(), 1u);
    EXPECT_EQ(signatures_[0].rfind("sha256=", 0), 0u) << "signed as Meta signs";
  }
  // Without the CA, the certificate is not trusted (the system store does not know this CA):
  // nothing is delivered.
  const int without = StartSandbox("");
  EXPECT_EQ(Send(without), 0);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(signatures_.size(), 1u);
}

TEST(SandboxTlsConfigTest, AnUnreadableCaFileIsRefusedAtStart) {
  const std::string config =
      SandboxConfig("127.0.0.1:" + std::to_string(testing::FreePort()), "http://127.0.0.1:9");
  std::ofstream(config, std::ios::app) << "webhook_ca_file = \"/nonexistent/ca.pem\"\n";
  auto run = testing::RunProgram({testing::Bin("chatshop-sandbox"), "--config", config});
  EXPECT_EQ(run.status, 2) << run.output;
  EXPECT_NE(run.output.find("[sandbox] webhook_ca_file: cannot read /nonexistent/ca.pem"),
            std::string::npos)
      << run.output;
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace chatshop
