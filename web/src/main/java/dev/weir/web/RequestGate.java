package dev.weir.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides, before any route runs, whether a request is served at all: only GET (and, with {@code
 * --webAllowCancel}, a POST to {@code /api/v1/jobs/{id}/cancel} carrying the cluster secret as
 * bearer token, on loopback too), no body, a Host
 * of this machine when the server listens on loopback (a page elsewhere that rebinds its DNS name
 * to 127.0.0.1 still sends its own name), a path whose segments decode to plain names (no dot
 * segments, slashes, backslashes or percent signs after one decoding, so neither {@code %2e%2e}
 * nor {@code %252e%252e} walks anywhere), and the bearer token on data (the API and the metrics)
 * when one is configured. Static files need no token: they hold no data, and the browser loads
 * them before the page can send one.
 */
final class RequestGate {
  static final int MAX_PATH_CHARS = 2048;

  /** A request's fate: {@code status} 0 means served, with {@code segments} the decoded path. */
  record Verdict(int status, String message, List<String> segments) {
    static Verdict refuse(int status, String message) {
      return new Verdict(status, message, List.of());
    }

    boolean served() {
      return status == 0;
    }
  }

  private final boolean loopbackOnly;
  private final Optional<byte[]> token;
  private final Optional<byte[]> cancelToken;

  RequestGate(WebSettings settings) {
    this.loopbackOnly = settings.loopbackOnly();
    this.token = settings.token().map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.cancelToken = settings.cancelToken().map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code segments} name a job's cancel: {@code api/v1/jobs/{id}/cancel}. */
  static boolean cancelPath(List<String> segments) {
    return segments != null
        && segments.size() == 5
        && segments.get(0).equals("api")
        && segments.get(1).equals("v1")
        && segments.get(2).equals("jobs")
        && segments.get(4).equals("cancel");
  }

  /**
   * @param host the Host header, or null
   * @param authorization the Authorization header, or null
   * @param contentLength the Content-Length header, or null
   * @param chunked whether a Transfer-Encoding header came
   */
  Verdict check(
      String method,
      String rawPath,
      String host,
      String authorization,
      String contentLength,
      boolean chunked) {
    boolean cancel = false;
    if (!"GET".equals(method)) {
      // The one write: off unless --webAllowCancel, and then only on its own path.
      cancel =
          "POST".equals(method)
              && cancelToken.isPresent()
              && rawPath != null
              && rawPath.length() <= MAX_PATH_CHARS
              && cancelPath(segments(rawPath));
      if (!cancel) {
        return Verdict.refuse(405, "only GET: this server is read-only");
      }
    }
    if (chunked || (contentLength != null && !contentLength.trim().equals("0"))) {
      return Verdict.refuse(413, "a request here takes no body");
    }
    if (loopbackOnly && !localHost(host)) {
      return Verdict.refuse(
          403, "this server listens on loopback and serves Host localhost or 127.0.0.1 only");
    }
    if (rawPath == null || rawPath.length() > MAX_PATH_CHARS) {
      return Verdict.refuse(414, "path too long");
    }
    List<String> segments = segments(rawPath);
    if (segments == null) {
      return Verdict.refuse(404, "no such path");
    }
    boolean data =
        !segments.isEmpty() && (segments.get(0).equals("api") || segments.get(0).equals("metrics"));
    if (data && token.isPresent() && !bearerMatches(authorization, token.get())) {
      return Verdict.refuse(401, "a bearer token is required (the cluster secret)");
    }
    if (cancel && !bearerMatches(authorization, cancelToken.get())) {
      return Verdict.refuse(401, "cancelling a job requires the cluster secret as bearer token");
    }
    return new Verdict(0, "", segments);
  }

  private static boolean bearerMatches(String authorization, byte[] expected) {
    if (authorization == null) {
      return false;
    }
    String prefix = "bearer ";
    if (authorization.length() <= prefix.length()
        || !authorization.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)) {
      return false;
    }
    byte[] given = authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
    // Constant time, so the comparison's duration tells nothing of the token.
    return MessageDigest.isEqual(given, expected);
  }

  /** localhost, 127.0.0.1 or [::1], with or without a port. */
  static boolean localHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    String name;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0) {
        return false;
      }
      name = h.substring(0, end + 1);
      String rest = h.substring(end + 1);
      if (!rest.isEmpty() && !port(rest)) {
        return false;
      }
    } else {
      int colon = h.indexOf(':');
      name = colon < 0 ? h : h.substring(0, colon);
      if (colon >= 0 && !port(h.substring(colon))) {
        return false;
      }
    }
    return name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]");
  }

  private static boolean port(String colonAndDigits) {
    return colonAndDigits.matches(":[0-9]{1,5}");
  }

  /**
   * The path's segments, each percent-decoded once; null for a path this server never serves: not
   * absolute, an empty segment (except the root itself), a bad escape, or a segment that decodes
   * to a dot segment or holds a slash, backslash, percent sign or control character.
   */
  static List<String> segments(String rawPath) {
    if (!rawPath.startsWith("/")) {
      return null;
    }
    List<String> segments = new ArrayList<>();
    if (rawPath.equals("/")) {
      return segments;
    }
    for (String raw : rawPath.substring(1).split("/", -1)) {
      String decoded = decode(raw);
      if (decoded == null
          || decoded.isEmpty()
          || decoded.equals(".")
          || decoded.equals("..")) {
        return null;
      }
      for (int i = 0; i < decoded.length(); i++) {
        char c = decoded.charAt(i);
        if (c == '/' || c == '\\' || c == '%' || c < 0x20 || c == 0x7f) {
          return null;
        }
      }
      segments.add(decoded);
    }
    return segments;
  }

  private static String decode(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        // A raw non-ASCII character: the JDK's server hands the path over decoded as UTF-8.
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
