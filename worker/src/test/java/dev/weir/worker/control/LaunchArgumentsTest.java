package dev.weir.worker.control;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Map;
import org.junit.Test;

/** The process mains' arguments: {@code --name=value}, and a bare {@code --flag} meaning true. */
public class LaunchArgumentsTest {
  @Test
  public void valuesAndBareFlagsAreReadByName() {
    Map<String, String> args =
        LaunchArguments.parse(new String[] {"--port=0", "--insecure", "--bind=10.0.0.1"});
    assertEquals(Map.of("port", "0", "insecure", "true", "bind", "10.0.0.1"), args);
  }

  @Test
  public void anArgumentWithoutLeadingDashesOrANameIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> LaunchArguments.parse(new String[] {"x=1"}));
    assertThrows(IllegalArgumentException.class, () -> LaunchArguments.parse(new String[] {"--"}));
    assertThrows(IllegalArgumentException.class, () -> LaunchArguments.parse(new String[] {"--=1"}));
  }
}
