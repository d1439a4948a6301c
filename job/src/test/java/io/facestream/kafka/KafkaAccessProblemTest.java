package io.facestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

class KafkaAccessProblemTest {

    private static final Map<String, Object> CLIENT = Map.of(
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cam\" password=\"p4ss-w0rd\";",
            "ssl.truststore.password", "store-secret",
            "security.protocol", "SASL_SSL");

    @Test
    void aSecretThatAKafkaMessageEchoesIsNotRepeated() {
        KafkaAccessProblem problem = new KafkaAccessProblem("broker:9093", "/etc/kafka.properties", CLIENT);
        String message = problem.authentication(new KafkaException("wrapped",
                new SaslAuthenticationException("invalid credentials for p4ss-w0rd with store store-secret")));
        assertThat(message).contains("refused the credentials of User:cam", "--kafka-config /etc/kafka.properties", "(not shown)")
                .doesNotContain("p4ss-w0rd", "store-secret");
    }

    @Test
    void whatIsNotAnAuthenticationFailureIsLeftToTheCaller() {
        assertThat(new KafkaAccessProblem("broker:9093", null, CLIENT).authentication(new KafkaException("timed out"))).isNull();
    }

    @Test
    void eachMissingAclComesWithTheCommandThatGrantsIt() {
        String message = new KafkaAccessProblem("broker:9093", null, CLIENT).missingAcls(List.of(
                new KafkaAccessProblem.Grant("WRITE", "topic", "dlq", false),
                new KafkaAccessProblem.Grant("WRITE", "transactional-id", "fs", true)));
        assertThat(message).contains("does not allow User:cam what the job needs: WRITE on topic dlq, WRITE on transactional id fs*.")
                .contains("--allow-principal User:cam --operation WRITE --topic dlq\n")
                .endsWith("--operation WRITE --transactional-id fs --resource-pattern-type prefixed");
    }
}
