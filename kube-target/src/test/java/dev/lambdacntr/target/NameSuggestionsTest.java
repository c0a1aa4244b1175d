package dev.lambdacntr.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameSuggestionsTest {

  @Test
  void prefixesAndTyposAreSuggestedClosestFirst() {
    List<String> pods =
        List.of("cart-7d9f-x2", "cart-7d9f-q8", "payment-1", "kart-7d9f", "unrelated-long-name");
    assertThat(NameSuggestions.closest("cart-7d9f", pods, 3))
        .containsExactly("kart-7d9f", "cart-7d9f-q8", "cart-7d9f-x2");
    assertThat(NameSuggestions.closest("zzz", pods, 3)).isEmpty();
  }

  @Test
  void distanceIsLevenshtein() {
    assertThat(NameSuggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(NameSuggestions.distance("", "abc")).isEqualTo(3);
    assertThat(NameSuggestions.distance("same", "same")).isZero();
  }
}
