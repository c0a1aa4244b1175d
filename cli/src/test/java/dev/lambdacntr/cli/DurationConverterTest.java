package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  @ParameterizedTest
  @CsvSource({
    "90, PT1M30S",
    "90s, PT1M30S",
    "2m, PT2M",
    "1h30m, PT1H30M",
    "500ms, PT0.5S",
    "1m5s, PT1M5S"
  })
  void readsWhatPeopleType(String text, String iso) {
    assertThat(DurationConverter.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "5 m", "5x", "m5", "1.5s"})
  void refusesTheRest(String text) {
    assertThatThrownBy(() -> DurationConverter.parse(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'" + text + "' is not a duration (examples: 30s, 2m, 1h30m, 500ms, 90)");
  }

  @ParameterizedTest
  @CsvSource({"PT0.25S, 250ms", "PT45S, 45s", "PT2M, 2m0s", "PT15M30S, 15m30s"})
  void formatsForMessages(String iso, String text) {
    assertThat(DurationConverter.format(Duration.parse(iso))).isEqualTo(text);
  }
}
