package dev.weir.worker.exchange;

import dev.weir.worker.security.ClusterSecurity;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A {@link DataExchange} over gRPC with Netty. One server serves every channel whose consumer is
 * here; one {@link ManagedChannel} per remote address carries every writer to it. The server and
 * the outgoing channels share one event-loop group of daemon threads that this exchange owns and
 * stops on {@link #close()}. gRPC callbacks run directly on those threads: they only take short
 * locks and never block.
 */
public final class GrpcDataExchange implements DataExchange {
  /** Flow-control window per HTTP/2 stream, fixed so gRPC's automatic tuning cannot grow it. */
  private static final int FLOW_CONTROL_WINDOW = 1 << 20;
  /**
   * Pings on idle connections, so a peer that vanished without closing its socket breaks the
   * channel (and a blocked send or poll) instead of leaving it waiting forever.
   */
  private static final long KEEPALIVE_SECONDS = 30;
  private static final long KEEPALIVE_TIMEOUT_SECONDS = 10;
  /**
   * Aborted jobs (and, apart, attempts) remembered per endpoint. A straggler of an aborted job
   * opens its channel moments after the abort; 4,096 later aborts are far beyond that.
   */
  static final int ABORTS_REMEMBERED = 4_096;

  private final ExchangeConfig config;
  private final EventLoopGroup eventLoops;
  private final EventLoopThreads eventLoopThreads;
  private final Server server;
  /** How the server was secured; the channels to other endpoints are secured the same way. */
  private final ClusterSecurity security;
  private volatile String address;

  // Guards everything below; never held while calling into a gate, stream or writer that may
  // call back, except attach, whose lock order is exchange -> stream -> gate.
  private final Object registry = new Object();
  private final Map<ChannelId, GrpcInputGate> gates = new HashMap<>();
  private final Map<ChannelId, InboundChannel> streams = new HashMap<>();
  private final Set<OutboundChannel> writers = new LinkedHashSet<>();
  private final Map<String, ManagedChannel> channelsByAddress = new HashMap<>();
  /**
   * The most recently aborted jobs and "jobId#attempt" of aborted attempts, whose channels are
   * refused: bounded, so a worker that runs jobs for months does not keep every id.
   */
  private final RecentAborts abortedJobs = new RecentAborts(ABORTS_REMEMBERED);
  private final RecentAborts abortedAttempts = new RecentAborts(ABORTS_REMEMBERED);
  private boolean closed;

  private GrpcDataExchange(ExchangeConfig config, EventLoopGroup eventLoops,
      EventLoopThreads eventLoopThreads, Server server, ClusterSecurity security) {
    this.config = config;
    this.security = security;
    this.eventLoops = eventLoops;
    this.eventLoopThreads = eventLoopThreads;
    this.server = server;
  }

  /** Starts an endpoint on 127.0.0.1, secured as {@code security} says; port 0 picks a free port. */
  public static GrpcDataExchange start(int port, ExchangeConfig config, ClusterSecurity security) {
    return start("127.0.0.1", port, config, security);
  }

  /**
   * Plaintext and unauthenticated, on {@code bindHost:port}: for tests of the exchange within one
   * JVM; processes pass their security.
   */
  public static GrpcDataExchange start(String bindHost, int port, ExchangeConfig config) {
    return start(bindHost, port, config, ClusterSecurity.plaintextInOneJvm());
  }

  /**
   * Starts an endpoint listening on {@code bindHost:port}; port 0 picks a free port. With security
   * on, its server accepts only streams from holders of the cluster's certificate and secret, and
   * its channels to other endpoints present them.
   */
  public static GrpcDataExchange start(
      String bindHost, int port, ExchangeConfig config, ClusterSecurity security) {
    EventLoopThreads threads = new EventLoopThreads("weir-exchange");
    EventLoopGroup eventLoops = new NioEventLoopGroup(config.eventLoopThreads(), threads);
    GrpcDataExchange[] self = new GrpcDataExchange[1];
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(ExchangeProtocol.SERVICE)
            .addMethod(ExchangeProtocol.CHANNEL_METHOD, (call, headers) -> {
              InboundStream stream = new InboundStream(call, self[0]);
              call.request(1);
              return stream;
            })
            .build();
    Server server =
        security.secureServer(NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port)))
            .bossEventLoopGroup(eventLoops)
            .workerEventLoopGroup(eventLoops)
            .channelType(NioServerSocketChannel.class)
            .directExecutor()
            .flowControlWindow(FLOW_CONTROL_WINDOW)
            .maxInboundMessageSize(config.maxFrameBytes())
            .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .permitKeepAliveTime(KEEPALIVE_SECONDS / 3, TimeUnit.SECONDS)
            .addService(service)
            .build();
    // Set before start so the handler never sees null: no call can arrive before start().
    self[0] = new GrpcDataExchange(config, eventLoops, threads, server, security);
    try {
      server.start();
    } catch (IOException e) {
      eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      throw new UncheckedIOException("cannot bind data exchange to " + bindHost + ":" + port, e);
    }
    self[0].address = bindHost + ":" + server.getPort();
    return self[0];
  }

  @Override
  public String address() {
    return address;
  }

  /** The port the server listens on. */
  public int port() {
    return server.getPort();
  }

  public ExchangeConfig config() {
    return config;
  }

  @Override
  public InputGate openGate(List<ChannelId> channels) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("a gate needs at least one channel");
    }
    ChannelId first = channels.get(0);
    for (ChannelId c : channels) {
      if (!c.jobId().equals(first.jobId()) || c.attempt() != first.attempt()
          || c.consumer() != first.consumer()) {
        throw new IllegalArgumentException(
            "channels of a gate must share job, attempt and consumer: " + channels);
      }
    }
    if (new HashSet<>(channels).size() != channels.size()) {
      throw new IllegalArgumentException("a gate's channels must be distinct: " + channels);
    }
    GrpcInputGate gate = new GrpcInputGate(channels, this);
    synchronized (registry) {
      checkOpen(first);
      for (ChannelId c : channels) {
        if (gates.containsKey(c)) {
          throw new IllegalStateException("channel " + c + " already has a gate");
        }
      }
      for (int i = 0; i < channels.size(); i++) {
        ChannelId c = channels.get(i);
        gates.put(c, gate);
        InboundChannel early = streams.get(c);
        if (early != null) {
          gate.bind(i, early);
          early.attach(gate, i, config.creditsPerChannel(), config.creditReturnBatch());
        }
      }
    }
    return gate;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A channel to this endpoint's own address (producer and consumer on the same worker) is a
   * {@link LocalChannel} if {@link ExchangeConfig#localHandOver()} is on: its events go to the
   * gate as they are, with the same credit, order and in-band control events as over gRPC, without
   * framing them for a loopback socket. Another endpoint in the same JVM (an embedded cluster's
   * other worker) has another address and is reached over gRPC, like a remote one.
   */
  @Override
  public ChannelWriter openWriter(ChannelId channel, String consumerAddress) {
    if (config.localHandOver() && consumerAddress.equals(address)) {
      LocalChannel local = new LocalChannel(channel, this);
      synchronized (registry) {
        checkOpen(channel);
        if (streams.containsKey(channel)) {
          throw new IllegalStateException("channel " + channel + " already open");
        }
        writers.add(local);
      }
      streamOpened(local);
      return local;
    }
    GrpcChannelWriter writer;
    synchronized (registry) {
      checkOpen(channel);
      ManagedChannel target =
          channelsByAddress.computeIfAbsent(consumerAddress, this::connect);
      writer = new GrpcChannelWriter(
          channel, target.newCall(ExchangeProtocol.CHANNEL_METHOD, CallOptions.DEFAULT), this);
      writers.add(writer);
    }
    writer.start();
    return writer;
  }

  @Override
  public void abortJob(String jobId) {
    abort("job " + jobId + " aborted", c -> c.jobId().equals(jobId),
        () -> abortedJobs.add(jobId));
  }

  /**
   * Breaks the gates, held streams and writers of attempt {@code attempt} of {@code jobId} and
   * refuses that attempt's channels from now on, so a straggler of the old attempt cannot open one
   * late. Other attempts of the job, earlier or later, are untouched.
   */
  @Override
  public void abortAttempt(String jobId, int attempt) {
    abort("job " + jobId + " attempt " + attempt + " aborted",
        c -> c.jobId().equals(jobId) && c.attempt() == attempt,
        () -> abortedAttempts.add(attemptKey(jobId, attempt)));
  }

  private void abort(String reason, Predicate<ChannelId> affected, Runnable refuseLater) {
    List<GrpcInputGate> hitGates = new ArrayList<>();
    List<InboundChannel> hitStreams = new ArrayList<>();
    List<OutboundChannel> hitWriters = new ArrayList<>();
    synchronized (registry) {
      refuseLater.run();
      gates.entrySet().removeIf(e -> {
        if (affected.test(e.getKey())) {
          if (!hitGates.contains(e.getValue())) {
            hitGates.add(e.getValue());
          }
          return true;
        }
        return false;
      });
      streams.entrySet().removeIf(e -> {
        boolean hit = affected.test(e.getKey());
        if (hit) {
          hitStreams.add(e.getValue());
        }
        return hit;
      });
      writers.removeIf(w -> {
        boolean hit = affected.test(w.id());
        if (hit) {
          hitWriters.add(w);
        }
        return hit;
      });
    }
    breakAll(hitGates, hitStreams, hitWriters, reason, Status.ABORTED.withDescription(reason));
  }

  /**
   * Breaks every gate and writer, stops the server and the outgoing channels, and waits up to
   * {@link ExchangeConfig#shutdownTimeout()} until this exchange's event-loop threads have ended.
   * The port is free when this returns. Netty's process-wide {@code globalEventExecutor} thread,
   * which ran some shutdown callbacks, ends by itself about a second later.
   */
  @Override
  public void close() {
    List<GrpcInputGate> allGates;
    List<InboundChannel> allStreams;
    List<OutboundChannel> allWriters;
    List<ManagedChannel> allChannels;
    synchronized (registry) {
      if (closed) {
        return;
      }
      closed = true;
      allGates = new ArrayList<>(new LinkedHashSet<>(gates.values()));
      allStreams = new ArrayList<>(streams.values());
      allWriters = new ArrayList<>(writers);
      allChannels = new ArrayList<>(channelsByAddress.values());
      gates.clear();
      streams.clear();
      writers.clear();
      channelsByAddress.clear();
    }
    String reason = "data exchange at " + address + " closed";
    breakAll(allGates, allStreams, allWriters, reason, Status.UNAVAILABLE.withDescription(reason));
    server.shutdownNow();
    allChannels.forEach(ManagedChannel::shutdownNow);
    long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    try {
      server.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
      for (ManagedChannel c : allChannels) {
        c.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
      }
      eventLoops.shutdownGracefully(0, remaining(deadline), TimeUnit.NANOSECONDS)
          .await(remaining(deadline), TimeUnit.NANOSECONDS);
      eventLoopThreads.joinAll(deadline);
    } catch (InterruptedException e) {
      eventLoops.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
      Thread.currentThread().interrupt();
    }
  }

  /** A producer's stream named its channel: attach it to the gate, or hold it until one opens. */
  void streamOpened(InboundChannel stream) {
    ChannelId id = stream.id();
    synchronized (registry) {
      String refused = refusal(id);
      if (refused != null) {
        stream.shutdown(Status.ABORTED.withDescription(refused));
        return;
      }
      if (streams.containsKey(id)) {
        stream.shutdown(Status.ALREADY_EXISTS.withDescription("channel " + id + " already open"));
        return;
      }
      streams.put(id, stream);
      GrpcInputGate gate = gates.get(id);
      if (gate != null) {
        int index = gate.channels().indexOf(id);
        gate.bind(index, stream);
        stream.attach(gate, index, config.creditsPerChannel(), config.creditReturnBatch());
      }
    }
  }

  void gateClosed(GrpcInputGate gate) {
    synchronized (registry) {
      for (ChannelId c : gate.channels()) {
        gates.remove(c, gate);
        streams.remove(c);
      }
    }
  }

  void writerClosed(OutboundChannel writer) {
    synchronized (registry) {
      writers.remove(writer);
    }
  }

  private void checkOpen(ChannelId channel) {
    String refused = refusal(channel);
    if (refused != null) {
      throw new ExchangeException(refused);
    }
  }

  /** Why {@code channel} may not open here, or null if it may; caller holds the registry. */
  private @Nullable String refusal(ChannelId channel) {
    if (closed) {
      return "data exchange at " + address + " is closed";
    }
    if (abortedJobs.contains(channel.jobId())) {
      return "job " + channel.jobId() + " was aborted";
    }
    if (abortedAttempts.contains(attemptKey(channel.jobId(), channel.attempt()))) {
      return "job " + channel.jobId() + " attempt " + channel.attempt() + " was aborted";
    }
    return null;
  }

  /** How many aborted jobs and attempts this endpoint remembers now (tests of the bound). */
  int abortsRemembered() {
    synchronized (registry) {
      return abortedJobs.size() + abortedAttempts.size();
    }
  }

  private static String attemptKey(String jobId, int attempt) {
    return jobId + "#" + attempt;
  }

  private ManagedChannel connect(String target) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address must be host:port, got " + target);
    }
    String host = target.substring(0, colon);
    int port = Integer.parseInt(target.substring(colon + 1));
    // A socket address (no name resolver) keeps gRPC off its shared resolver executor.
    return security.secureChannel(NettyChannelBuilder.forAddress(new InetSocketAddress(host, port)))
        .eventLoopGroup(eventLoops)
        .channelType(NioSocketChannel.class)
        .directExecutor()
        .disableRetry() // retries would buffer sent frames outside our credit accounting
        .flowControlWindow(FLOW_CONTROL_WINDOW)
        .maxInboundMessageSize(config.maxFrameBytes())
        .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .build();
  }

  private static void breakAll(List<GrpcInputGate> gates, List<InboundChannel> streams,
      List<OutboundChannel> writers, String reason, Status status) {
    ExchangeException failure = new ExchangeException(reason);
    for (GrpcInputGate g : gates) {
      g.breakAll(failure, status);
    }
    for (InboundChannel s : streams) {
      s.shutdown(status);
    }
    for (OutboundChannel w : writers) {
      w.abort(reason);
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }
}
