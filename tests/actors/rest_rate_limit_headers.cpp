#include "actors/rest_rate_limit_headers.hpp"

#define CAF_SUITE actors.rest_rate_limit_headers

#include "caf/test/unit_test.hpp"

using namespace spectacles::actors;

CAF_TEST(the documented headers are read whatever their case) {
  rate_limit_headers h;
  h.add("X-RateLimit-Limit", "5");
  h.add("x-ratelimit-remaining", "1");
  h.add("X-RATELIMIT-RESET", "1470173023.123");
  h.add("X-RateLimit-Reset-After", " 1.123 ");
  h.add("X-RateLimit-Bucket", "abcd1234");
  h.add("Content-Type", "application/json");
  CAF_REQUIRE(h.has_limit());
  CAF_CHECK_EQUAL(*h.limit, 5);
  CAF_CHECK_EQUAL(*h.remaining, 1);
  CAF_CHECK_EQUAL(*h.reset, 1470173023.123);
  CAF_CHECK_EQUAL(*h.reset_after, 1.123);
  CAF_CHECK_EQUAL(h.bucket, "abcd1234");
  CAF_CHECK(!h.global);
  CAF_CHECK(h.scope == rate_limit_scope::none);
}

CAF_TEST(429 headers give scope global flag and retry after) {
  rate_limit_headers h;
  h.add("X-RateLimit-Global", "true");
  h.add("X-RateLimit-Scope", "global");
  h.add("Retry-After", "65");
  CAF_CHECK(h.global);
  CAF_CHECK(h.scope == rate_limit_scope::global);
  CAF_CHECK_EQUAL(*h.retry_after, 65.0);
  CAF_CHECK(!h.has_limit());
  rate_limit_headers shared;
  shared.add("x-ratelimit-scope", "shared");
  CAF_CHECK(shared.scope == rate_limit_scope::shared);
  CAF_CHECK_EQUAL(to_string(shared.scope), "shared");
  rate_limit_headers user;
  user.add("X-RateLimit-Scope", "user");
  CAF_CHECK(user.scope == rate_limit_scope::user);
}

CAF_TEST(malformed values leave the field empty) {
  rate_limit_headers h;
  h.add("X-RateLimit-Limit", "five");
  h.add("X-RateLimit-Remaining", "-1");
  h.add("X-RateLimit-Reset-After", "nan");
  h.add("X-RateLimit-Reset", "1e400");
  h.add("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT");
  h.add("X-RateLimit-Scope", "galaxy");
  CAF_CHECK(!h.limit);
  CAF_CHECK(!h.remaining);
  CAF_CHECK(!h.reset_after);
  CAF_CHECK(!h.reset);
  CAF_CHECK(!h.retry_after);
  CAF_CHECK(h.scope == rate_limit_scope::none);
  CAF_CHECK(!h.has_limit());
  // An over-long bucket id is cut, never stored whole.
  h.add("X-RateLimit-Bucket", std::string(1000, 'b'));
  CAF_CHECK_EQUAL(h.bucket.size(), 64u);
}
