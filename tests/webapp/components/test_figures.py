import json

from webapp.components.figures import GRAPH_CONFIG, empty_figure, graph


def test_graph_config_fetches_nothing_external():
    assert GRAPH_CONFIG["typesetMath"] is False and GRAPH_CONFIG["showSendToCloud"] is False
    assert GRAPH_CONFIG["topojsonURL"].startswith("/")
    assert "http" not in json.dumps(GRAPH_CONFIG)


def test_empty_figure_says_why():
    fig = empty_figure("No sales in this country")
    assert fig.layout.annotations[0].text == "No sales in this country"
    assert len(fig.data) == 0


def test_graph_uses_the_shared_config():
    component = graph("overview-sales")
    assert component.id == "overview-sales" and component.config is GRAPH_CONFIG
