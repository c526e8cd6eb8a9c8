package dev.weir.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real Kafka broker in this JVM for tests: one KRaft node that is broker and controller at once,
 * listening on loopback ports chosen at start, with its log in a temporary directory that {@link
 * #close} deletes. Besides the lifecycle it offers the few client calls the tests need (create a
 * topic, produce, read a topic, a group's committed offsets), each bounded in time.
 */
final class KafkaBroker implements AutoCloseable {
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);
  private static final int START_ATTEMPTS = 3;

  private final Path logDir;
  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Admin admin;

  private KafkaBroker(Path logDir, KafkaRaftServer server, String bootstrapServers) {
    this.logDir = logDir;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    this.admin = Admin.create(adminProps);
  }

  /**
   * Formats a fresh log directory and starts the broker, then waits until it serves metadata. The
   * ports are probed free just before, so another process may take one in between: a failed start
   * is retried with new ports and a new directory.
   */
  static KafkaBroker start() throws Exception {
    // Kafka's fault handlers end the process on a fatal error; in a test JVM that would kill
    // Surefire's fork without a word. Make them throw instead, for the failure to show.
    Exit.setExitProcedure(
        (code, message) -> {
          throw new IllegalStateException("Kafka asked to exit (" + code + "): " + message);
        });
    Exit.setHaltProcedure(
        (code, message) -> {
          throw new IllegalStateException("Kafka asked to halt (" + code + "): " + message);
        });
    Exception last = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      Path logDir = Files.createTempDirectory("weir-kafka-");
      try {
        return startIn(logDir);
      } catch (Exception e) {
        deleteRecursively(logDir);
        last = e;
      }
    }
    Exit.resetExitProcedure();
    Exit.resetHaltProcedure();
    throw new IllegalStateException(
        "The Kafka broker did not start in " + START_ATTEMPTS + " attempts", last);
  }

  private static KafkaBroker startIn(Path logDir) throws Exception {
    int brokerPort = freeLoopbackPort();
    int controllerPort = freeLoopbackPort();
    Map<String, Object> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    // One node: every internal topic has one replica, and one partition starts faster.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    // The tests stamp records years in the past; time-based retention must not delete them.
    props.put("log.retention.ms", "-1");
    KafkaConfig config = new KafkaConfig(props);

    new Formatter()
        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
        .setNodeId(config.nodeId())
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName("CONTROLLER")
        .setMetadataLogDirectory(config.metadataLogDir())
        .setDirectories(List.of(logDir.toString()))
        .run();

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    KafkaBroker broker;
    try {
      server.startup();
      broker = new KafkaBroker(logDir, server, "127.0.0.1:" + brokerPort);
    } catch (RuntimeException e) {
      stopQuietly(server);
      throw e;
    }
    try {
      // The broker answers once it has joined the quorum and caught up with the metadata log.
      broker.admin.describeCluster().nodes().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return broker;
    } catch (Exception e) {
      broker.admin.close(Duration.ZERO);
      stopQuietly(server);
      throw e;
    }
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  String bootstrapServers() {
    return bootstrapServers;
  }

  void createTopic(String topic, int partitions) throws Exception {
    admin
        .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
        .all()
        .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends the records and waits until the broker acknowledged every one. */
  void produce(List<ProducerRecord<String, String>> records) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ProducerRecord<String, String> record : records) {
        sent.add(producer.send(record));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : sent) {
        ack.get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Reads {@code topic} from its beginning until it has returned {@code expected} records or
   * {@code timeout} passed, and returns what it read (fewer than expected on a timeout, more if
   * more had arrived by the last poll).
   */
  List<ConsumerRecord<String, String>> readTopic(String topic, int expected, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, String>> read = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, CLIENT_TIMEOUT).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (read.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
    }
    return read;
  }

  /** The offsets {@code groupId} has committed, by partition; empty if it committed none. */
  Map<TopicPartition, Long> committedOffsets(String groupId) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(groupId)
            .partitionsToOffsetAndMetadata()
            .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    committed.forEach(
        (partition, offset) -> {
          if (offset != null) {
            offsets.put(partition, offset.offset());
          }
        });
    return offsets;
  }

  /** The offset after each partition's last record. */
  Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> offsets = new HashMap<>();
    admin
        .listOffsets(request)
        .all()
        .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  @Override
  public void close() {
    try {
      admin.close(CLIENT_TIMEOUT);
      stopQuietly(server);
      deleteRecursively(logDir);
    } finally {
      Exit.resetExitProcedure();
      Exit.resetHaltProcedure();
    }
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      // The test's outcome is decided; a broker that fails to stop cleanly changes nothing.
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the broker's directory " + dir, e);
    }
  }
}
