/**
 * Tests that attack the service as a hostile or careless client would: path spellings against the access rules,
 * slow and flooding clients, hostile uploads, failing dependencies. Each pins a class of problem found by a
 * hostile test run (issue 16), so that it cannot return.
 */
package io.qwenimage.hostile;
