// GoogleTest under SystemC: SystemC's library owns main() and calls sc_main. Each test runs in its
// own process (gtest_discover_tests), because SystemC elaborates once per process.
#include <gtest/gtest.h>
#include <systemc>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
