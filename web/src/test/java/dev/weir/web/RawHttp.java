package dev.weir.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over a plain socket for tests: it sends the request line and headers exactly
 * as given (a raw path with {@code %2e%2e}, any Host, any method), which the JDK's HttpClient
 * would normalize or refuse.
 */
public final class RawHttp {
  private final int port;

  public RawHttp(int port) {
    this.port = port;
  }

  /** A reply: status, headers (names lower-cased) and body. */
  public record Reply(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  public Reply get(String rawPath) throws IOException {
    return send("GET", rawPath, Map.of());
  }

  /** {@code headers} may set Host; without it the Host is {@code 127.0.0.1:port}. */
  public Reply send(String method, String rawPath, Map<String, String> headers)
      throws IOException {
    return send(method, rawPath, headers, null);
  }

  public Reply send(String method, String rawPath, Map<String, String> headers, String body)
      throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(60_000);
      StringBuilder request = new StringBuilder();
      request.append(method).append(' ').append(rawPath).append(" HTTP/1.1\r\n");
      Map<String, String> all = new LinkedHashMap<>();
      all.put("Host", "127.0.0.1:" + port);
      all.putAll(headers);
      all.put("Connection", "close");
      byte[] bodyBytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
      if (bodyBytes != null) {
        all.put("Content-Length", Integer.toString(bodyBytes.length));
      }
      all.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (bodyBytes != null) {
        out.write(bodyBytes);
      }
      out.flush();
      return read(socket.getInputStream());
    }
  }

  private static Reply read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    byte[] bytes = all.toByteArray();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete response head: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
    String body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = new String(dechunk(rest), StandardCharsets.UTF_8);
    } else {
      body = new String(rest, StandardCharsets.UTF_8);
    }
    return new Reply(status, headers, body);
  }

  private static byte[] dechunk(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < data.length) {
      int lineEnd = i;
      while (data[lineEnd] != '\r') {
        lineEnd++;
      }
      int size = Integer.parseInt(new String(data, i, lineEnd - i, StandardCharsets.ISO_8859_1).trim(), 16);
      if (size == 0) {
        break;
      }
      out.write(data, lineEnd + 2, size);
      i = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }
}
