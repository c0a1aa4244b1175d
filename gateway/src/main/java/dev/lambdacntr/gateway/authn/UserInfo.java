package dev.lambdacntr.gateway.authn;

import java.util.List;
import java.util.Map;

/**
 * The user the API server authenticated, as its front proxy passes them on.
 *
 * @param name the user name
 * @param groups the groups, in the order the headers gave them
 * @param extra the extra attributes (keys lower-cased and unescaped, as the API server does)
 */
public record UserInfo(String name, List<String> groups, Map<String, List<String>> extra) {
  public UserInfo {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }
}
