package dev.weir.portability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import java.util.Map;
import org.junit.Test;

public class WeirJobServerBindTest {
  @Test
  public void anAddressOtherThanLoopbackIsRefusedWithoutInsecureAndTheMessageSaysWhy() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> WeirJobServer.start(Map.of("port", "0", "bind", "0.0.0.0")));
    assertThat(refused.getMessage(), containsString("--bind=0.0.0.0 is not a loopback address"));
    assertThat(refused.getMessage(), containsString("--insecure"));
  }

  @Test
  public void loopbackAddressesNeedNoFlag() throws Exception {
    WeirJobServer.checkBind("localhost", false);
    WeirJobServer.checkBind("127.0.0.1", false);
    WeirJobServer.checkBind("::1", false);
  }

  @Test
  public void insecureAcceptsAnAddressOtherThanLoopback() throws Exception {
    // Checked without binding: tests listen on loopback only.
    WeirJobServer.checkBind("0.0.0.0", true);
  }
}
