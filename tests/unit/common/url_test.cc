// URLs of Redis (with its password) and of media downloads, parsed without echoing secrets.
#include "common/url.h"

#include <gtest/gtest.h>

namespace chatshop::common {
namespace {

TEST(RedisUrlTest, HostPortDatabaseUserAndPassword) {
  auto plain = ParseRedisUrl("redis://127.0.0.1:6380/2");
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 6380);
  EXPECT_EQ(plain->db, 2);
  EXPECT_TRUE(plain->password.empty());

  auto defaults = ParseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->port, 6379);
  EXPECT_EQ(defaults->db, 0);

  auto password = ParseRedisUrl("redis://:s3cr%40t%3Ax@10.0.0.5:6379/0");
  ASSERT_TRUE(password);
  EXPECT_EQ(password->username, "");
  EXPECT_EQ(password->password, "s3cr@t:x") << "percent-decoded";
  EXPECT_EQ(password->host, "10.0.0.5");

  auto user = ParseRedisUrl("redis://chatshop:pa%2Fss@[::1]:7000/3");
  ASSERT_TRUE(user) << user.error();
  EXPECT_EQ(user->username, "chatshop");
  EXPECT_EQ(user->password, "pa/ss");
  EXPECT_EQ(user->host, "::1");
  EXPECT_EQ(user->port, 7000);
  EXPECT_EQ(user->db, 3);

  auto lone = ParseRedisUrl("redis://onlysecret@host");
  ASSERT_TRUE(lone);
  EXPECT_EQ(lone->password, "onlysecret") << "a lone user info part is the password";
}

TEST(RedisUrlTest, ProblemsAreExplainedWithoutThePassword) {
  for (const char* url :
       {"redis://:hunter2@", "redis://:hunter2@host:0", "redis://:hunter2@host:99999",
        "redis://:hunter2@host/abc", "redis://user:hunter2%zz@host",
        "redis://:hunter2@host:6379/0/extra", "http://:hunter2@host"}) {
    auto parsed = ParseRedisUrl(url);
    ASSERT_FALSE(parsed) << url;
    EXPECT_EQ(parsed.error().find("hunter2"), std::string::npos) << parsed.error();
  }
  EXPECT_FALSE(ParseRedisUrl("redis://user:@host")) << "a user needs a password";
}

TEST(RedisUrlTest, TlsIsRefusedBecauseThisHiredisHasNone) {
  auto tls = ParseRedisUrl("rediss://:hunter2@redis.example.com:6380/0");
  ASSERT_FALSE(tls);
  EXPECT_NE(tls.error().find("rediss:// (Redis over TLS) is not supported"), std::string::npos);
  EXPECT_NE(tls.error().find("hiredis (0.14) has no TLS"), std::string::npos);
  EXPECT_EQ(tls.error().find("hunter2"), std::string::npos);
}

TEST(HttpUrlTest, SplitsSchemeHostPortAndTarget) {
  auto meta =
      ParseHttpUrl("https://Lookaside.FBSBX.com/whatsapp_business/attachments/?mid=1&ext=2");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->scheme, "https");
  EXPECT_EQ(meta->host, "lookaside.fbsbx.com");
  EXPECT_EQ(meta->port, 443);
  EXPECT_EQ(meta->target, "/whatsapp_business/attachments/?mid=1&ext=2");
  auto local = ParseHttpUrl("http://127.0.0.1:8090?x#frag");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->port, 8090);
  EXPECT_EQ(local->target, "/?x");
  EXPECT_FALSE(ParseHttpUrl("ftp://host/x"));
  EXPECT_FALSE(ParseHttpUrl("https://user:pw@host/x")) << "user info is never sent anywhere";
  EXPECT_FALSE(ParseHttpUrl("https:///x"));
  EXPECT_FALSE(ParseHttpUrl("https://host:http/x"));
}

TEST(HttpUrlTest, LoopbackAndHostPatterns) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.3.2.1"));
  EXPECT_TRUE(IsLoopbackHost("LOCALHOST"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("127.evil.com"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.nip.io"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));

  EXPECT_TRUE(HostMatches("lookaside.fbsbx.com", "lookaside.fbsbx.com"));
  EXPECT_TRUE(HostMatches("scontent.xx.fbcdn.net", "*.fbcdn.net"));
  EXPECT_FALSE(HostMatches("fbcdn.net", "*.fbcdn.net")) << "a subdomain, not the domain itself";
  EXPECT_FALSE(HostMatches("evilfbcdn.net", "*.fbcdn.net"));
  EXPECT_FALSE(HostMatches("lookaside.fbsbx.com.evil.io", "lookaside.fbsbx.com"));
}

}  // namespace
}  // namespace chatshop::common
