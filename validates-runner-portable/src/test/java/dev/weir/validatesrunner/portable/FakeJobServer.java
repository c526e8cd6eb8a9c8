package dev.weir.validatesrunner.portable;

/**
 * Stands in for the job server in the process tests: says it listens on the port given as its
 * argument (unless told to end first) and then runs until it is ended.
 */
public final class FakeJobServer {
  private FakeJobServer() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("some start-up logging");
    if (args[0].equals("end-early")) {
      System.out.println("cannot bind");
      System.exit(7);
    }
    System.out.println("WEIR_JOB_SERVER_LISTENING port=" + args[0]);
    Thread.sleep(Long.MAX_VALUE);
  }
}
