package dev.lambdacntr.target.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProtectionLeaseTest {

  @Test
  void aLeaseIsRenewedThreeTimesWithinItsTtl() {
    assertThat(ProtectionLease.CLI.renewEvery()).isEqualTo(Duration.ofMinutes(1));
    assertThat(new ProtectionLease(Duration.ofSeconds(60)).renewEvery())
        .isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void aRenewalNoSoonerThanExpiryIsRefused() {
    assertThatThrownBy(() -> new ProtectionLease(Duration.ofSeconds(10), Duration.ofSeconds(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProtectionLease(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
