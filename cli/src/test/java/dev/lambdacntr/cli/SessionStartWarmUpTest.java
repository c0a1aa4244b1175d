package dev.lambdacntr.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionStartWarmUpTest {

  @Test
  void makesAClientHello() {
    assertTrue(SessionStartWarmUp.run());
  }
}
