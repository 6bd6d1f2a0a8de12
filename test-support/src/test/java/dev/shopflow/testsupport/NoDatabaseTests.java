package dev.shopflow.testsupport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class NoDatabaseTests {

    @Test
    void refusesEveryConnectionAndTellsWhetherOneWasAskedFor() throws SQLException {
        DataSource untouched = NoDatabase.dataSource();
        DataSource asked = NoDatabase.dataSource();

        assertThatThrownBy(asked::getConnection)
                .isInstanceOf(SQLException.class)
                .hasMessage("no database");
        verify(asked).getConnection();
        verify(untouched, never()).getConnection();
    }
}
