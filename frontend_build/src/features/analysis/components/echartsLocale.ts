// ECharts ships its own texts in English and Simplified Chinese only: these are its
// built-in strings in Traditional Chinese (the shape of echarts/i18n/langZH-obj.js),
// registered as 'ZH-TW'.

export const ECHARTS_ZH_TW = {
  time: {
    month: ['一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月'],
    monthAbbr: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    dayOfWeek: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
    dayOfWeekAbbr: ['日', '一', '二', '三', '四', '五', '六'],
  },
  legend: { selector: { all: '全選', inverse: '反選' } },
  toolbox: {
    brush: { title: { rect: '矩形選擇', polygon: '圈選', lineX: '橫向選擇', lineY: '縱向選擇', keep: '保持選擇', clear: '清除選擇' } },
    dataView: { title: '資料檢視', lang: ['資料檢視', '關閉', '重新整理'] },
    dataZoom: { title: { zoom: '區域縮放', back: '還原區域縮放' } },
    magicType: { title: { line: '切換為折線圖', bar: '切換為長條圖', stack: '切換為堆疊', tiled: '切換為並排' } },
    restore: { title: '還原' },
    saveAsImage: { title: '儲存為圖片', lang: ['按右鍵另存為圖片'] },
  },
  series: {
    typeNames: {
      pie: '圓餅圖',
      bar: '長條圖',
      line: '折線圖',
      scatter: '散佈圖',
      effectScatter: '漣漪散佈圖',
      radar: '雷達圖',
      tree: '樹狀圖',
      treemap: '矩形樹狀圖',
      boxplot: '盒鬚圖',
      candlestick: 'K 線圖',
      k: 'K 線圖',
      heatmap: '熱度圖',
      map: '地圖',
      parallel: '平行座標圖',
      lines: '線圖',
      graph: '關係圖',
      sankey: '桑基圖',
      funnel: '漏斗圖',
      gauge: '儀表圖',
      pictorialBar: '象形長條圖',
      themeRiver: '主題河流圖',
      sunburst: '旭日圖',
      custom: '自訂圖表',
      chart: '圖表',
    },
  },
  aria: {
    general: { withTitle: '這是一個關於「{title}」的圖表。', withoutTitle: '這是一個圖表，' },
    series: {
      single: { prefix: '', withName: '圖表類型是{seriesType}，表示{seriesName}。', withoutName: '圖表類型是{seriesType}。' },
      multiple: {
        prefix: '它由{seriesCount}個圖表系列組成。',
        withName: '第{seriesId}個系列是一個表示{seriesName}的{seriesType}，',
        withoutName: '第{seriesId}個系列是一個{seriesType}，',
        separator: { middle: '；', end: '。' },
      },
    },
    data: {
      allData: '其資料是——',
      partialData: '其中，前{displayCnt}項是——',
      withName: '{name}的資料是{value}',
      withoutName: '{value}',
      separator: { middle: '，', end: '' },
    },
  },
};
