package backpropcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The nearest-name rules and the table of other libraries' names behind "did you mean" (issue 13, part 6). */
class NearestNamesTest {
    private static NearestNames names(String... names) {
        NearestNames n = new NearestNames();
        for (String s : names) {
            n.add(s, s);
        }
        return n;
    }

    @Test
    void distanceCountsEditsAndSwaps() {
        assertEquals(0, NearestNames.distance("epochs", "epochs"));
        assertEquals(1, NearestNames.distance("epochs", "epoch"));
        assertEquals(1, NearestNames.distance("epcohs", "epochs"), "a swap of neighbours is one edit");
        assertEquals(2, NearestNames.distance("ephocs", "epochs"));
        assertEquals(1, NearestNames.distance("seed", "seeed"));
        assertEquals(3, NearestNames.distance("abc", ""));
        assertEquals(1, NearestNames.distance("ab", "ba"), "a swap");
        assertEquals(2, NearestNames.distance("abc", "bca"), "not a swap of neighbours");
    }

    @Test
    void namesCompareWithoutCaseDashesOrValue() {
        assertEquals("learningrate", NearestNames.key("--Learning_Rate=0.1"));
        assertEquals("lr", NearestNames.key("-lr"));
    }

    @Test
    void theSameNameComesBeforeALongerOneAndBothBeforeSpelling() {
        NearestNames n = names("--lr", "--lr-schedule", "--lr-gamma", "--l2");
        assertEquals(List.of("--lr"), n.suggest("-lr"), "the same name, written otherwise");
        assertEquals(List.of("--lr-schedule"), n.suggest("--lr-sched"));
        assertEquals(List.of("--lr-schedule", "--lr-gamma", "--lr-step-epochs"),
                names("--lr-schedule", "--lr-gamma", "--lr-step-epochs", "--lr-warmup").suggest("--lr"), "a prefix: at most three");
        assertEquals(List.of(), n.suggest("--x"), "one letter begins too much to suggest");
        assertEquals(List.of("--epochs"), names("--epochs", "--epsilon").suggest("--ephocs"));
    }

    @Test
    void editDistanceGrowsWithTheNameAndShortNamesAreLeftAlone() {
        NearestNames n = names("--seed", "--batch", "--checkpoint-dir");
        assertEquals(List.of("--seed"), n.suggest("--sed"), "1 edit at 3 letters");
        assertEquals(List.of(), n.suggest("--sd"), "2 letters: no spelling match");
        assertEquals(List.of(), n.suggest("--sxxd"), "2 edits at 4 letters is too many");
        assertEquals(List.of("--batch"), n.suggest("--bacth"));
        assertEquals(List.of("--checkpoint-dir"), n.suggest("--chekpoint-dr"), "2 edits at 12 letters");
        assertEquals(List.of(), n.suggest("--bogus"));
    }

    @Test
    void aNegationIsNotASpellingMistake() {
        NearestNames n = names("--no-shuffle");
        assertEquals(List.of(), n.suggest("--shuffle"));
        assertEquals(List.of(), names("--shuffle").suggest("--no-shuffle"));
    }

    @Test
    void everySynonymNamesAnOptionOrCommandThatExists() {
        CommandLine cl = new CommandLine(new Main());
        List<CommandSpec> commands = cl.getSubcommands().values().stream().map(CommandLine::getCommandSpec).toList();
        for (Map.Entry<String, List<String>> s : Synonyms.OPTIONS.entrySet()) {
            for (String target : s.getValue()) {
                String option = target.split(" ")[0];
                assertTrue(commands.stream().anyMatch(c -> c.findOption(option) != null),
                        "synonym " + s.getKey() + " names " + target + ", which no command has");
            }
        }
        for (Map.Entry<String, String> s : Synonyms.COMMANDS.entrySet()) {
            assertTrue(cl.getSubcommands().containsKey(s.getValue()) || cl.getCommandSpec().findOption(s.getValue()) != null,
                    "synonym " + s.getKey() + " names " + s.getValue() + ", which is neither a command nor an option");
        }
    }

    @Test
    void noSynonymIsListedTwiceOrHidesARealName() {
        Map<String, String> seen = new HashMap<>();
        for (String k : Synonyms.OPTIONS.keySet()) {
            String prior = seen.put(NearestNames.key(k), k);
            assertEquals(null, prior, k + " and " + prior + " are the same name");
        }
        CommandLine cl = new CommandLine(new Main());
        for (CommandLine sub : cl.getSubcommands().values()) {
            for (var o : sub.getCommandSpec().options()) {
                for (String name : o.names()) {
                    String clash = seen.get(NearestNames.key(name));
                    // A real option wins over a synonym anyway; a clash would only mean a dead entry.
                    assertEquals(null, clash, sub.getCommandName() + " " + name + " is also listed as a synonym");
                }
            }
        }
        for (String k : Synonyms.COMMANDS.keySet()) {
            assertEquals(null, cl.getSubcommands().get(k), k + " is a command and a synonym");
        }
    }

    @Test
    void suggestionsFollowTheCommand() {
        CommandLine cl = new CommandLine(new Main());
        CommandSpec train = cl.getSubcommands().get("train").getCommandSpec();
        CommandSpec evaluate = cl.getSubcommands().get("evaluate").getCommandSpec();
        assertNotNull(train.findOption("--init-from"));
        assertEquals(List.of("--init-from"), UnknownArguments.options(train).suggest("--weights"));
        assertEquals(List.of("--model"), UnknownArguments.options(evaluate).suggest("--weights"));
        assertEquals(List.of("train"), UnknownArguments.commands(cl.getCommandSpec()).suggest("fit"));
        assertEquals(List.of("selftest"), UnknownArguments.commands(cl.getCommandSpec()).suggest("self-test"));
    }
}
