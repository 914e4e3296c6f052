package ebm4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.ProcessRun;
import ebm4j.TinyRun;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate Maven project depends on the installed ebm4j artifact and runs README's example (an
 * integration test: it needs the packaged jar). The jar and this project's pom are installed, as
 * {@code mvn install} does, into a temporary local repository whose other folders link to the
 * build's own, so nothing is downloaded that the build did not already have and the user's
 * repository gains nothing; the consumer is compiled by Maven against the dependencies that the
 * installed pom declares, and run with that classpath alone.
 */
class MavenConsumerIT {
    private static final String VERSION = System.getProperty("ebm4j.version", "0.1.0");
    private static final Path JAR = Path.of(System.getProperty("ebm4j.jar", "target/ebm4j.jar")).toAbsolutePath();
    private static final Path POM = Path.of("pom.xml").toAbsolutePath();

    @Test
    void aMavenProjectThatDependsOnEbm4jCompilesAndRunsTheReadmeExample(@TempDir Path dir) throws IOException {
        String mvn = mvn();
        String run = TinyRun.folder().toString();
        Path repo = linkedLocalRepository(dir.resolve("repo"));
        try {
            buildAndRun(mvn, dir, repo, run);
        } finally {
            unlink(repo);
        }
    }

    private static void buildAndRun(String mvn, Path dir, Path repo, String run) throws IOException {
        String repoFlag = "-Dmaven.repo.local=" + repo;

        ProcessRun install = ProcessRun.run(dir, 300, List.of(mvn, "-B", "-q", repoFlag,
                "org.apache.maven.plugins:maven-install-plugin:" + System.getProperty("ebm4j.install.plugin.version",
                        "3.1.2") + ":install-file", "-Dfile=" + JAR, "-DpomFile=" + POM));
        assertEquals(0, install.code(), "installing the jar: " + install);
        Path installed = repo.resolve("ebm4j/ebm4j/" + VERSION + "/ebm4j-" + VERSION + ".jar");
        assertTrue(Files.isRegularFile(installed), installed + " missing after install-file");

        Path project = Files.createDirectories(dir.resolve("consumer"));
        Files.writeString(project.resolve("pom.xml"), consumerPom());
        String source = ReadmeExample.source();
        String name = ReadmeExample.className(source);
        Files.writeString(Files.createDirectories(project.resolve("src/main/java")).resolve(name + ".java"), source);
        ProcessRun build = ProcessRun.run(project, 300, List.of(mvn, "-B", "-q", repoFlag,
                "org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                "-Dmdep.outputFile=classpath.txt"));
        assertEquals(0, build.code(), "compiling the consumer: " + build);
        String classpath = Files.readString(project.resolve("classpath.txt")).trim();
        List<String> entries = List.of(classpath.split(File.pathSeparator));
        assertTrue(entries.contains(installed.toString()), "the installed jar is on the classpath: " + classpath);
        assertTrue(entries.stream().anyMatch(e -> e.contains("jackson-databind")), "declared dependencies: " + classpath);
        assertFalse(entries.stream().anyMatch(e -> e.contains("slf4j-simple")),
                "slf4j-simple is optional, the user's logging binding wins: " + classpath);

        ProcessRun example = ProcessRun.run(project, 300, List.of(ProcessRun.java(), "--add-modules",
                "jdk.incubator.vector", "-cp", project.resolve("target/classes") + File.pathSeparator + classpath,
                name, run));
        assertEquals(0, example.code(), "running the consumer: " + example);
        assertTrue(ReadmeExample.OUTPUT.matcher(example.out()).matches(), "the consumer printed: " + example);
    }

    /** The Maven that runs this build, else the one on the PATH; the test skips only where there is none. */
    private static String mvn() {
        String home = System.getProperty("ebm4j.maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "mvn"))) {
                return Path.of(d, "mvn").toString();
            }
        }
        Assumptions.abort("mvn is not installed: cannot build a consumer project");
        return null;
    }

    /**
     * A local repository for the nested builds: every top-level folder of the build's own repository
     * linked in (its dependencies and plugins, found without a download), except {@code ebm4j}, which
     * only the install below fills.
     */
    private static Path linkedLocalRepository(Path repo) throws IOException {
        Files.createDirectories(repo);
        Path own = Path.of(System.getProperty("ebm4j.local.repository",
                System.getProperty("user.home") + "/.m2/repository"));
        List<Path> tops = new ArrayList<>();
        if (Files.isDirectory(own)) {
            try (Stream<Path> s = Files.list(own)) {
                s.filter(p -> !p.getFileName().toString().equals("ebm4j")).forEach(tops::add);
            }
        }
        for (Path top : tops) {
            Files.createSymbolicLink(repo.resolve(top.getFileName().toString()), top);
        }
        return repo;
    }

    /** Removes the links (never what they point to), so the temporary folder's cleanup meets none. */
    private static void unlink(Path repo) throws IOException {
        try (Stream<Path> s = Files.list(repo)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String consumerPom() {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>uses-ebm4j</artifactId>
                  <version>1</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>17</maven.compiler.release>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>ebm4j</groupId>
                      <artifactId>ebm4j</artifactId>
                      <version>%s</version>
                    </dependency>
                  </dependencies>
                </project>
                """.formatted(VERSION);
    }
}
