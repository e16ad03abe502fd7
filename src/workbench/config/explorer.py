"""Params section `explorer`: what the explorer shows (identification thresholds belong to
identify) and how `workbench present` serves it to a seminar room."""
from __future__ import annotations

from pydantic import Field

from workbench.config.base import StrictModel


class ExplorerParams(StrictModel):
    """Settings of the explorer and of its seminar server (`workbench present`)."""

    max_table_rows: int = Field(default=50, ge=10,
                                description="строк списка на одной странице экрана (остальные — по "
                                            "кнопке «Следующие»; в xlsx — все); причины "
                                            "сформулированы для показанной страницы")
    font_size_px: int = Field(default=18, ge=10, le=40,
                              description="базовый размер шрифта в пикселях при масштабе браузера "
                                          "100 %; все остальные размеры задаются относительно него")
    chart_height_px: int = Field(default=560, ge=200, description="высота графиков, пикселей")
    webgl_above_schools: int = Field(default=3000, ge=0,
                                     description="если школ больше, графики рисуют маркеры WebGL и "
                                                 "загружают полный plotly.js (4,8 МБ); до этого "
                                                 "числа — маркеры SVG и базовый plotly.js (1,2 МБ), "
                                                 "который при первом показе обрабатывается примерно "
                                                 "в 5 раз быстрее")
    chart_width_px: int = Field(default=1150, ge=400,
                                description="наибольшая ширина графика, пикселей; до неё график "
                                            "заполняет свою колонку")
    max_risks_in_card: int = Field(default=5, ge=1,
                                   description="сколько факторов риска показывать в карточке школы")
    presentation_scale: float = Field(default=1.35, ge=1.0, le=3.0,
                                      description="размер шрифта в «режиме презентации» "
                                                  "относительно обычного вида")
    server_start_timeout_s: float = Field(default=60.0, gt=0,
                                          description="сколько секунд `present` ждёт запуска Voilà")
    kernel_pool: int = Field(default=4, ge=0, le=20,
                             description="сколько заранее запущенных ядер держать наготове: столько "
                                         "участников, подключившихся одновременно, получают "
                                         "страницу без ожидания выполнения блокнота (0 — без "
                                         "запаса; ~0,3 ГБ на ядро)")
    max_kernels: int = Field(default=20, ge=1,
                             description="сколько страниц может быть открыто одновременно; "
                                         "следующий участник увидит страницу «Слишком много "
                                         "участников»")
    disconnect_grace_s: int = Field(default=60, ge=1,
                                    description="ядро, страница которого пропала без закрытия (сбой "
                                                "браузера, ноутбук ушёл в сон), останавливается "
                                                "через столько секунд после разрыва соединения")
    cull_idle_s: int = Field(default=600, ge=1,
                               description="ядро без открытой страницы и без активности столько "
                                           "секунд останавливается")
    cull_interval_s: int = Field(default=60, ge=1,
                                   description="как часто (в секундах) искать простаивающие ядра")
